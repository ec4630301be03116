/**
 * Compatibility of the client we use (kafkajs 2.2.4) with the pinned broker (KAFKA_VERSION):
 * every Kafka feature the platform relies on, exercised against a real broker.
 *
 * Starts its own broker on a free high port with a throw-away data dir, unless KAFKA_BROKERS
 * (comma-separated) points at one already running.
 */
import { mkdtemp, rm } from 'fs/promises';
import { tmpdir } from 'os';
import * as path from 'path';
import {
  CompressionTypes,
  Kafka,
  Partitioners,
  logLevel,
  type Admin,
  type Consumer,
  type ConsumerConfig,
  type EachMessagePayload,
  type Producer,
} from 'kafkajs';
import { KAFKA_VERSION, startLocalKafka, type LocalKafkaHandle } from '../src';
import { waitForTopicLeaders } from '@omni/testing';
import { findFreePortPair } from './free-port';

const BROKER_START_TIMEOUT_MS = 180_000;
const TEST_TIMEOUT_MS = 60_000;
const WAIT_TIMEOUT_MS = 30_000;

/** Unique per run, so that a shared broker (KAFKA_BROKERS) never mixes runs. */
const RUN = `${Date.now().toString(36)}-${process.pid}`;
const topicName = (name: string): string => `compat-${name}-${RUN}`;

jest.setTimeout(TEST_TIMEOUT_MS);

interface Received {
  partition: number;
  offset: string;
  key: string;
  value: string;
}

/** Process warnings since this file loaded (before any client): kafkajs 2.2.4's TimeoutNegativeWarning on Node 24. */
const warnings: string[] = [];
process.on('warning', (warning) => warnings.push(warning.name));

let broker: LocalKafkaHandle | undefined;
let dataDir: string | undefined;
let kafka: Kafka;
let admin: Admin;
/** Producers and consumers to disconnect after each test, even when it fails. */
const openClients: Array<Producer | Consumer> = [];

beforeAll(async () => {
  let brokers = (process.env.KAFKA_BROKERS ?? '').split(',').map((b) => b.trim()).filter(Boolean);
  if (brokers.length === 0) {
    const port = await findFreePortPair();
    dataDir = await mkdtemp(path.join(tmpdir(), 'dev-kafka-compat-'));
    broker = await startLocalKafka({ port, dataDir, startTimeoutMs: BROKER_START_TIMEOUT_MS - 30_000 });
    brokers = broker.brokers;
  }
  kafka = new Kafka({ clientId: 'kafka-compat-test', brokers, logLevel: logLevel.NOTHING });
  admin = kafka.admin();
  await admin.connect();
}, BROKER_START_TIMEOUT_MS);

afterEach(async () => {
  await Promise.all(openClients.splice(0).map((client) => client.disconnect().catch(() => undefined)));
});

afterAll(async () => {
  await admin?.disconnect();
  if (broker?.startedByUs) await broker.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
}, 60_000);

describe(`kafkajs 2.2.4 against Apache Kafka ${KAFKA_VERSION}`, () => {
  it('an idle connected client schedules no timer with a negative delay (patches/kafkajs: no warning, no 1 ms loop)', async () => {
    const producer = track(kafka.producer());
    await producer.connect();
    const original = global.setTimeout;
    let nonPositive = 0;
    global.setTimeout = ((...args: Parameters<typeof setTimeout>) => {
      if (typeof args[1] === 'number' && args[1] <= 0) nonPositive += 1;
      return original(...args);
    }) as typeof setTimeout;
    try {
      await new Promise((resolve) => original(resolve, 300));
    } finally {
      global.setTimeout = original;
    }
    expect({ nonPositive, warnings: warnings.filter((name) => name === 'TimeoutNegativeWarning') }).toEqual({ nonPositive: 0, warnings: [] });
  });

  it('admin creates a 3-partition topic, reports its metadata and deletes it', async () => {
    const topic = topicName('admin');
    // kafkajs's own leader wait (its default) fails on KRaft's transient UNKNOWN_TOPIC_OR_PARTITION.
    expect(await admin.createTopics({ topics: [{ topic, numPartitions: 3, replicationFactor: 1 }], waitForLeaders: false })).toBe(true);
    await waitForTopicLeaders(admin, [topic]);

    const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
    expect(topics).toHaveLength(1);
    expect(topics[0].name).toBe(topic);
    expect(topics[0].partitions.map((p) => p.partitionId).sort()).toEqual([0, 1, 2]);
    for (const partition of topics[0].partitions) expect(partition.leader).toBeGreaterThanOrEqual(0);

    await admin.deleteTopics({ topics: [topic] });
    await waitFor(async () => !(await admin.listTopics()).includes(topic), 'topic to disappear');
  });

  it('an idempotent producer delivers every keyed message to a consumer group, in order per key', async () => {
    const topic = await createTopic('ordering', 3);
    const keys = ['alice', 'bob', 'carol', 'dave', 'erin'];
    const perKey = 20;

    const producer = track(kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner }));
    await producer.connect();
    // Several sends, each a batch interleaving the keys: ordering must hold across batches.
    for (let seq = 0; seq < perKey; seq += 5) {
      const messages = [];
      for (let s = seq; s < seq + 5; s++) for (const key of keys) messages.push({ key, value: String(s) });
      await producer.send({ topic, acks: -1, compression: CompressionTypes.None, messages });
    }

    const received = await consumeAll(`ordering-${RUN}`, topic, keys.length * perKey);

    expect(received).toHaveLength(keys.length * perKey);
    for (const key of keys) {
      const mine = received.filter((m) => m.key === key);
      expect(new Set(mine.map((m) => m.partition)).size).toBe(1); // a key sticks to one partition
      expect(mine.map((m) => Number(m.value))).toEqual([...Array(perKey).keys()]);
    }
    // Three partitions and five keys: the load really was spread.
    expect(new Set(received.map((m) => m.partition)).size).toBeGreaterThan(1);
  });

  it('a consumer group resumes after its committed offset', async () => {
    const topic = await createTopic('resume', 1);
    const groupId = `resume-${RUN}`;
    const producer = track(kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner }));
    await producer.connect();
    const old = Array.from({ length: 10 }, (_, i) => ({ key: 'k', value: `old-${i}` }));
    await producer.send({ topic, acks: -1, messages: old });

    // First member: consumes everything with auto-commit off, commits explicitly, leaves.
    const first = track(kafka.consumer(consumerConfig(groupId)));
    await first.connect();
    await first.subscribe({ topic, fromBeginning: true });
    const firstSeen: Received[] = [];
    await first.run({ autoCommit: false, eachMessage: async (p) => void firstSeen.push(toReceived(p)) });
    await waitFor(() => firstSeen.length >= old.length, 'the first member to read the old messages');
    const last = firstSeen[firstSeen.length - 1];
    await first.commitOffsets([{ topic, partition: last.partition, offset: String(Number(last.offset) + 1) }]);
    await first.disconnect();

    const committed = await admin.fetchOffsets({ groupId, topics: [topic] });
    expect(committed[0].partitions).toEqual([expect.objectContaining({ partition: 0, offset: String(old.length) })]);

    // Second member of the same group: subscribes "from beginning", yet must start at the commit.
    const second = track(kafka.consumer(consumerConfig(groupId)));
    await second.connect();
    await second.subscribe({ topic, fromBeginning: true });
    const secondSeen: Received[] = [];
    await second.run({ eachMessage: async (p) => void secondSeen.push(toReceived(p)) });
    await waitFor(async () => (await admin.describeGroups([groupId])).groups[0]?.state === 'Stable', 'the group to settle');
    await producer.send({ topic, acks: -1, messages: [{ key: 'k', value: 'new' }] });

    await waitFor(() => secondSeen.length >= 1, 'the second member to read the new message');
    expect(firstSeen.map((m) => m.value)).toEqual(old.map((m) => m.value));
    expect(secondSeen.map((m) => m.value)).toEqual(['new']);
    expect(secondSeen[0].offset).toBe(String(old.length));
  });

  it('a read-committed consumer sees a committed transaction and never an aborted one', async () => {
    const topic = await createTopic('txn', 3);
    const producer = track(
      kafka.producer({
        transactionalId: `compat-txn-${RUN}`,
        idempotent: true,
        maxInFlightRequests: 1,
        createPartitioner: Partitioners.DefaultPartitioner,
      }),
    );
    await producer.connect();

    const aborted = await producer.transaction();
    await aborted.send({ topic, acks: -1, messages: [{ key: 'a', value: 'aborted-1' }, { key: 'b', value: 'aborted-2' }] });
    await aborted.abort();

    const committed = await producer.transaction();
    await committed.send({ topic, acks: -1, messages: [{ key: 'a', value: 'committed-1' }, { key: 'b', value: 'committed-2' }] });
    await committed.send({ topic, acks: -1, messages: [{ key: 'c', value: 'committed-3' }] });
    await committed.commit();

    // Default isolation (readUncommitted: false) is read-committed.
    const received = await consumeAll(`txn-${RUN}`, topic, 3);
    expect(received.map((m) => m.value).sort()).toEqual(['committed-1', 'committed-2', 'committed-3']);
  });
});

// ---------------------------------------------------------------------------------------------

/** Short fetch long-polls, so that a consumer's disconnect does not wait 5 s for one to end. */
function consumerConfig(groupId: string): ConsumerConfig {
  return { groupId, maxWaitTimeInMs: 200 };
}

function track<T extends Producer | Consumer>(client: T): T {
  openClients.push(client);
  return client;
}

async function createTopic(name: string, numPartitions: number): Promise<string> {
  const topic = topicName(name);
  await admin.createTopics({ topics: [{ topic, numPartitions, replicationFactor: 1 }], waitForLeaders: false });
  await waitForTopicLeaders(admin, [topic]);
  return topic;
}

/** Consumes `topic` from the beginning in a new group until `count` messages arrived. */
async function consumeAll(groupId: string, topic: string, count: number): Promise<Received[]> {
  const consumer = track(kafka.consumer(consumerConfig(groupId)));
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const received: Received[] = [];
  await consumer.run({ eachMessage: async (p) => void received.push(toReceived(p)) });
  await waitFor(() => received.length >= count, `${count} messages on ${topic} (have ${received.length})`);
  return received;
}

function toReceived({ partition, message }: EachMessagePayload): Received {
  return {
    partition,
    offset: message.offset,
    key: message.key?.toString() ?? '',
    value: message.value?.toString() ?? '',
  };
}

/** Polls `condition` until it holds, failing after a deadline. No fixed sleeps. */
async function waitFor(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = WAIT_TIMEOUT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
