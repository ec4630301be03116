/**
 * A broker out of direct memory (#25) keeps running and fails every request it cannot buffer: the
 * handle of the broker that `npm start` runs must report it. Starts a broker of its own with 1 MiB
 * of direct memory and sends it a produce request of 1.5 MB, which it reads through a direct
 * buffer of that size.
 */
import { mkdtemp, rm } from 'fs/promises';
import { tmpdir } from 'os';
import * as path from 'path';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { startLocalKafka, type BrokerTrouble, type LocalKafkaHandle } from '../src';
import { waitFor, waitForTopicLeaders } from '@omni/testing';
import { findFreePortPair } from './free-port';

const BROKER_START_TIMEOUT_MS = 150_000;

let broker: LocalKafkaHandle;
let dataDir: string;
let producer: Producer | undefined;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'dev-kafka-oom-'));
  broker = await startLocalKafka({ port: await findFreePortPair(), dataDir, directMemoryMb: 1, startTimeoutMs: BROKER_START_TIMEOUT_MS - 30_000 });
  if (!broker.startedByUs) throw new Error(`a broker already answers on ${broker.brokers[0]}: not one this test started`);
}, BROKER_START_TIMEOUT_MS);

afterAll(async () => {
  await producer?.disconnect().catch(() => undefined);
  await broker?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
}, 60_000);

it('reports an OutOfMemoryError of the broker once, and nothing after stop()', async () => {
  const troubles: BrokerTrouble[] = [];
  broker.watch((trouble) => troubles.push(trouble));
  const kafka = new Kafka({ clientId: 'broker-oom-test', brokers: broker.brokers, logLevel: logLevel.NOTHING, retry: { retries: 0 }, requestTimeout: 5_000 });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'oom', numPartitions: 1, replicationFactor: 1 }] });
  await waitForTopicLeaders(admin, ['oom']);
  await admin.disconnect();
  producer = kafka.producer({ retry: { retries: 0 } });
  await producer.connect();

  await expect(producer.send({ topic: 'oom', acks: -1, messages: [{ value: Buffer.alloc(1_500_000, 'x') }] })).rejects.toThrow();
  await waitFor(() => troubles.length > 0, { timeoutMs: 15_000, description: 'the out-of-memory error reported' });
  expect(troubles).toEqual([{ kind: 'out-of-memory', line: expect.stringContaining('Cannot reserve') }]);

  await producer.disconnect();
  producer = undefined;
  await broker.stop();
  expect(troubles).toHaveLength(1);
});
