import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
// Relative imports only: jest loads global teardown without its module mapper.
/* eslint-disable @nx/enforce-module-boundaries -- see above */
import { stopLocalKafka } from '../../dev-kafka/src';
import { quoteIdentifier } from '../../persistence/src/data-source';
import { withDatabase } from '../../persistence/src/database';
/* eslint-enable @nx/enforce-module-boundaries */
import { RUN_TOPIC_PREFIX, forgetTestRun, loadTestRun } from './test-run';

/** A reused broker keeps running: remove the topics this run made on it. */
async function deleteRunTopics(brokers: string, runId: string): Promise<void> {
  const kafka = new Kafka({ brokers: brokers.split(','), clientId: 'test-teardown', logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const prefix = RUN_TOPIC_PREFIX(runId);
    const topics = (await admin.listTopics()).filter((topic) => topic.startsWith(prefix));
    if (topics.length > 0) await admin.deleteTopics({ topics, timeout: 30_000 });
  } finally {
    await admin.disconnect();
  }
}

/** Drop the run's databases and stop what the global setup started. */
export default async function globalTeardown(): Promise<void> {
  const run = loadTestRun();
  const admin = new Client({ connectionString: withDatabase(run.templateUrl, 'postgres') });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname LIKE $1', [
      `omni_test_${run.runId}_%`,
    ]);
    for (const { datname } of rows) await admin.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(datname)} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
  await deleteRunTopics(run.brokers, run.runId);
  for (const stop of run.stops) {
    if (stop.kind === 'local-kafka') await stopLocalKafka({ port: stop.port, dataDir: stop.dataDir });
    if (stop.kind === 'containers') await (globalThis as { __omniContainers?: () => Promise<void> }).__omniContainers?.();
  }
  forgetTestRun(run);
}
