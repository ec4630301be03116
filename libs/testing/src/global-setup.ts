import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
// Relative imports only: jest loads global setup without its module mapper.
/* eslint-disable @nx/enforce-module-boundaries -- see above */
import { KAFKA_VERSION, startLocalKafka } from '../../dev-kafka/src';
import { ensureDatabase, withDatabase } from '../../persistence/src/database';
import { buildApps } from '../../runtime/src/build-apps';
/* eslint-enable @nx/enforce-module-boundaries */
import { TestRun, saveTestRun } from './test-run';

const ROOT = path.resolve(__dirname, '../../..');

/**
 * Once per `npm test`: a Kafka broker and a migrated template database for the run.
 *
 * Kafka: KAFKA_BROKERS if set; otherwise testcontainers when a Docker engine answers; otherwise a
 * local single-node broker from the official jars (TEST_KAFKA_PORT, default 19092), reused if one
 * already runs there. PostgreSQL: TEST_DATABASE_URL, else DATABASE_URL, else the local server
 * (or a testcontainers PostgreSQL when Kafka came from Docker). Every test file then clones the
 * template into a database of its own and namespaces its topics, so files run in parallel.
 */
export default async function globalSetup(): Promise<void> {
  // End-to-end tests run the compiled apps, as users do.
  buildApps();
  const runId = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  const run: TestRun = { runId, brokers: '', templateUrl: '', stops: [] };

  let databaseBase = process.env.TEST_DATABASE_URL || process.env.DATABASE_URL;
  if (process.env.KAFKA_BROKERS) {
    run.brokers = process.env.KAFKA_BROKERS;
  } else if (await dockerAvailable()) {
    const containers = await startContainers();
    run.brokers = containers.brokers;
    databaseBase ??= containers.databaseUrl;
    run.stops.push({ kind: 'containers' });
    (globalThis as { __omniContainers?: unknown }).__omniContainers = containers.stop;
  } else {
    const port = Number(process.env.TEST_KAFKA_PORT || 19092);
    const dataDir = path.join(ROOT, '.cache', 'kafka', `test-${port}`);
    // Stopped by the global teardown, or by the kernel if the run is killed.
    const kafka = await startLocalKafka({ port, dataDir, stopWithParent: true });
    run.brokers = kafka.brokers.join(',');
    if (kafka.startedByUs) run.stops.push({ kind: 'local-kafka', port, dataDir });
  }
  databaseBase ??= 'postgres://postgres@127.0.0.1:5432/postgres';
  run.templateUrl = withDatabase(databaseBase, `omni_test_${runId}_template`);
  await ensureDatabase(run.templateUrl);
  execFileSync(process.execPath, ['-r', '@swc-node/register', 'scripts/db-migrate.ts'], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: run.templateUrl },
    stdio: 'ignore',
  });

  process.env.KAFKA_BROKERS = run.brokers;
  saveTestRun(run);
}

async function dockerAvailable(): Promise<boolean> {
  if (process.env.TESTCONTAINERS === 'false') return false;
  const socket = process.env.DOCKER_HOST || (existsSync('/var/run/docker.sock') ? 'unix:///var/run/docker.sock' : '');
  if (!socket) return false;
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await getContainerRuntimeClient();
    return true;
  } catch {
    return false;
  }
}

async function startContainers(): Promise<{ brokers: string; databaseUrl: string; stop: () => Promise<void> }> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
  // The official image advertises what it is told: bind a free host port 1:1 so that the address
  // clients are given (localhost:<port>) is the one they can reach.
  const port = await freeHostPort();
  const kafka = new GenericContainer(`apache/kafka:${KAFKA_VERSION}`)
    .withExposedPorts({ container: port, host: port })
    .withEnvironment({
      KAFKA_NODE_ID: '1',
      KAFKA_PROCESS_ROLES: 'broker,controller',
      KAFKA_LISTENERS: `PLAINTEXT://:${port},CONTROLLER://:9093`,
      KAFKA_ADVERTISED_LISTENERS: `PLAINTEXT://localhost:${port}`,
      KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
      KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
      KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:9093',
      KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
      KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR: '1',
      KAFKA_SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR: '1',
      KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
      KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
    })
    .withWaitStrategy(Wait.forListeningPorts())
    .withStartupTimeout(180_000);
  const [kafkaStarted, postgres] = await Promise.all([kafka.start(), new PostgreSqlContainer('postgres:16').start()]);
  return {
    brokers: `localhost:${port}`,
    databaseUrl: postgres.getConnectionUri(),
    stop: async () => {
      await Promise.all([kafkaStarted.stop(), postgres.stop()]);
    },
  };
}

function freeHostPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}
