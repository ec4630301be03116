/**
 * What this machine can do at all, measured in the same run as the pipeline:
 * - PostgreSQL: single-row upserts, each its own transaction, through a pg Pool of the services'
 *   size, with the durability the services get (their connections set no synchronous_commit of
 *   their own, so the server's setting, read and reported here);
 * - Kafka: the broker's own perf tools (ProducerPerformance, then ConsumerPerformance, from the
 *   jars dev-kafka fetched) with the services' producer settings: acks=all, idempotence, one
 *   request in flight per connection.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { Pool } from 'pg';
import { fetchKafkaJars } from '../../libs/dev-kafka/src';
import { KafkaBaseline, PgBaseline } from './results';
import { summarizeLatency } from './stats';
import { ROOT, transient } from './stack';

export async function pgUpsertBaseline(options: { databaseUrl: string; poolSize: number; concurrency: number; seconds: number }): Promise<PgBaseline> {
  const pool = new Pool({ connectionString: options.databaseUrl, max: options.poolSize, application_name: 'bench-raw-pg' });
  try {
    const synchronousCommit = (await pool.query<{ synchronous_commit: string }>('SHOW synchronous_commit')).rows[0].synchronous_commit;
    await pool.query('CREATE SCHEMA IF NOT EXISTS bench_raw');
    await pool.query('DROP TABLE IF EXISTS bench_raw.upserts');
    await pool.query(`CREATE TABLE bench_raw.upserts (
      application text NOT NULL, entity_id text NOT NULL, version integer NOT NULL, body jsonb NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (application, entity_id))`);
    // A body of the size of a profile row's data.
    const body = JSON.stringify({ userName: 'John Doe', userData: { firstName: 'John', lastName: 'Doe', birthdate: '1997-03-10', gender: 'Male' } });
    const latencies: number[] = [];
    const deadline = performance.now() + options.seconds * 1000;
    let counter = 0;
    const worker = async () => {
      while (performance.now() < deadline) {
        const key = `e${(counter += 1) % 100_000}`;
        const started = performance.now();
        await pool.query(
          `INSERT INTO bench_raw.upserts (application, entity_id, version, body) VALUES ('bench', $1, 1, $2::jsonb)
           ON CONFLICT (application, entity_id) DO UPDATE SET version = bench_raw.upserts.version + 1, body = EXCLUDED.body, updated_at = now()`,
          [key, body],
        );
        latencies.push(performance.now() - started);
      }
    };
    const started = performance.now();
    await Promise.all(Array.from({ length: options.concurrency }, worker));
    const seconds = (performance.now() - started) / 1000;
    await pool.query('DROP SCHEMA bench_raw CASCADE');
    return {
      upsertsPerSecond: latencies.length / seconds,
      poolSize: options.poolSize,
      concurrency: options.concurrency,
      seconds,
      synchronousCommit,
      latencyMs: summarizeLatency(latencies),
    };
  } finally {
    await pool.end();
  }
}

export const RAW_PRODUCER_PROPS = ['acks=all', 'enable.idempotence=true', 'max.in.flight.requests.per.connection=1'];

export async function kafkaBaseline(options: { brokers: string[]; records: number; recordSize: number; partitions: number }): Promise<KafkaBaseline> {
  const topic = `bench-raw-${randomBytes(3).toString('hex')}`;
  const admin = new Kafka({ clientId: 'bench-raw', brokers: options.brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions: options.partitions, replicationFactor: 1 }], waitForLeaders: true });
    const libDir = await fetchKafkaJars();
    const java = (mainClass: string, args: string[]) =>
      run('java', [
        '-Xmx256m',
        '-XX:+UseSerialGC',
        `-Dlog4j2.configurationFile=${path.join(ROOT, 'tools', 'kafka', 'log4j2.xml')}`,
        '-cp',
        `${libDir}${path.sep}*`,
        mainClass,
        ...args,
      ]);
    const producer = parseProducerPerformance(
      await java('org.apache.kafka.tools.ProducerPerformance', [
        '--topic',
        topic,
        '--num-records',
        String(options.records),
        '--record-size',
        String(options.recordSize),
        '--throughput',
        '-1',
        '--producer-props',
        `bootstrap.servers=${options.brokers.join(',')}`,
        ...RAW_PRODUCER_PROPS,
      ]),
    );
    const consumer = parseConsumerPerformance(
      await java('org.apache.kafka.tools.ConsumerPerformance', [
        '--bootstrap-server',
        options.brokers.join(','),
        '--topic',
        topic,
        '--messages',
        String(options.records),
        '--group',
        `bench-raw-${randomBytes(3).toString('hex')}`,
        '--timeout',
        '30000',
      ]),
    );
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    return {
      records: options.records,
      recordSize: options.recordSize,
      partitions: options.partitions,
      producerProps: RAW_PRODUCER_PROPS,
      producePerSecond: producer.recordsPerSecond,
      produceLatencyMs: producer.latencyMs,
      consumePerSecond: consumer.fetchRecordsPerSecond,
      produceConsumePerSecond: Math.min(producer.recordsPerSecond, consumer.fetchRecordsPerSecond),
    };
  } finally {
    await admin.disconnect();
  }
}

/**
 * The summary line of ProducerPerformance:
 * `200000 records sent, 51234.5 records/sec (25.02 MB/sec), 120.34 ms avg latency, 400.00 ms max latency, 110 ms 50th, 300 ms 95th, 350 ms 99th, 390 ms 99.9th.`
 */
export function parseProducerPerformance(output: string): { recordsPerSecond: number; latencyMs: { avg: number; p50: number; p99: number } | null } {
  const lines = output.trim().split('\n').filter((line) => /records sent, [\d.]+ records\/sec/.test(line));
  const summary = lines[lines.length - 1];
  if (!summary) throw new Error(`no summary line in ProducerPerformance's output:\n${output.slice(-2_000)}`);
  const rate = Number(/records sent, ([\d.]+) records\/sec/.exec(summary)?.[1]);
  const avg = /([\d.]+) ms avg latency/.exec(summary)?.[1];
  const p50 = /([\d.]+) ms 50th/.exec(summary)?.[1];
  const p99 = /([\d.]+) ms 99th/.exec(summary)?.[1];
  return { recordsPerSecond: rate, latencyMs: avg && p50 && p99 ? { avg: Number(avg), p50: Number(p50), p99: Number(p99) } : null };
}

/**
 * ConsumerPerformance prints a header and one line of comma-separated values:
 * `start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec`.
 * `fetch.nMsg.sec` leaves out the time spent joining the group.
 */
export function parseConsumerPerformance(output: string): { records: number; recordsPerSecond: number; fetchRecordsPerSecond: number } {
  const lines = output.trim().split('\n').map((line) => line.trim());
  const headerIndex = lines.findIndex((line) => line.startsWith('start.time'));
  if (headerIndex < 0 || !lines[headerIndex + 1]) throw new Error(`unexpected ConsumerPerformance output:\n${output.slice(-2_000)}`);
  const header = lines[headerIndex].split(',').map((cell) => cell.trim());
  const values = lines[headerIndex + 1].split(',').map((cell) => cell.trim());
  const field = (name: string) => {
    const index = header.indexOf(name);
    const value = index < 0 ? Number.NaN : Number(values[index]);
    if (!Number.isFinite(value)) throw new Error(`ConsumerPerformance: no ${name} in\n${output.slice(-2_000)}`);
    return value;
  };
  return { records: field('data.consumed.in.nMsg'), recordsPerSecond: field('nMsg.sec'), fetchRecordsPerSecond: field('fetch.nMsg.sec') };
}

function run(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = transient(spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] }));
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve(output) : reject(new Error(`${args.at(-1) ?? command} exited with ${code}:\n${output.slice(-2_000)}`))));
  });
}
