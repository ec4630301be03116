/**
 * The local broker's memory budget: every process of the platform, this broker included, must stay
 * under 300 MB resident (docs/benchmarks.md, docs/adr/0002). Starts a broker of its own with
 * dev-kafka's defaults (what `npm start`, the tests and the benchmark run), puts an idempotent
 * produce and a group consume through it, and reads the kernel's high-water mark of the broker's
 * resident set (VmHWM in /proc/<pid>/status, Linux).
 */
import { mkdtemp, readFile, rm } from 'fs/promises';
import { tmpdir } from 'os';
import * as path from 'path';
import { Kafka, Partitioners, logLevel, type Admin, type Consumer, type Producer } from 'kafkajs';
import { startLocalKafka, type LocalKafkaHandle } from '../src';
import { waitFor, waitForTopicLeaders } from '@omni/testing';
import { findFreePortPair } from './free-port';

const BUDGET_MIB = 300;
const RECORDS = 100_000;
const RECORDS_PER_SEND = 1_000;
const RECORD = Buffer.alloc(512, 'r');
const BROKER_START_TIMEOUT_MS = 150_000;
const LOAD_TIMEOUT_MS = 240_000;

let broker: LocalKafkaHandle;
let dataDir: string;
let kafka: Kafka;
const clients: Array<Admin | Producer | Consumer> = [];

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'dev-kafka-memory-'));
  broker = await startLocalKafka({ port: await findFreePortPair(), dataDir, startTimeoutMs: BROKER_START_TIMEOUT_MS - 30_000 });
  if (!broker.startedByUs) throw new Error(`a broker already answers on ${broker.brokers[0]}: not one this test started`);
  kafka = new Kafka({ clientId: 'broker-memory-test', brokers: broker.brokers, logLevel: logLevel.NOTHING });
}, BROKER_START_TIMEOUT_MS);

afterAll(async () => {
  await Promise.all(clients.map((client) => client.disconnect().catch(() => undefined)));
  await broker?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
}, 60_000);

it(
  `the broker stays under ${BUDGET_MIB} MB resident while ${RECORDS.toLocaleString('en')} idempotent 512 B records go through it`,
  async () => {
    const topic = 'memory-load';
    const admin = track(kafka.admin());
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 3, replicationFactor: 1 }], waitForLeaders: false });
    await waitForTopicLeaders(admin, [topic]);

    await produce(topic);
    expect(await consume(topic)).toBe(RECORDS);

    expect(await peakResidentMiB(broker.pid as number)).toBeLessThan(BUDGET_MIB);
  },
  LOAD_TIMEOUT_MS,
);

/** The services' producer settings: acks=all, idempotent, one request in flight. */
async function produce(topic: string): Promise<void> {
  const producer = track(kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner }));
  await producer.connect();
  const messages = Array.from({ length: RECORDS_PER_SEND }, (_, i) => ({ key: `k${i}`, value: RECORD }));
  for (let sent = 0; sent < RECORDS; sent += RECORDS_PER_SEND) await producer.send({ topic, acks: -1, messages });
}

/** Reads the topic from the beginning in a new group; resolves with the number of records read. */
async function consume(topic: string): Promise<number> {
  const consumer = track(kafka.consumer({ groupId: `memory-${Date.now()}`, maxWaitTimeInMs: 200 }));
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let read = 0;
  await consumer.run({ eachBatch: async ({ batch }) => void (read += batch.messages.length) });
  await waitFor(() => read >= RECORDS, { timeoutMs: LOAD_TIMEOUT_MS / 2, description: `${RECORDS} records read` });
  return read;
}

/** The process's peak resident set since it started, in MiB. */
async function peakResidentMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kib = /^VmHWM:\s+(\d+) kB$/m.exec(status)?.[1];
  if (!kib) throw new Error(`no VmHWM in /proc/${pid}/status`);
  return Number(kib) / 1024;
}

function track<T extends Admin | Producer | Consumer>(client: T): T {
  clients.push(client);
  return client;
}
