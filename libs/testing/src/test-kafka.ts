import { randomBytes } from 'node:crypto';
import { Consumer, Kafka, KafkaMessage, logLevel } from 'kafkajs';
import { KafkaSettings, createKafka, ensureTopics, qualify } from '@omni/messaging';
import { createLogger } from '@omni/observability';
import { RUN_TOPIC_PREFIX, loadTestRun } from './test-run';
import { waitFor } from './wait-for';

/** Kafka for one test file: the run's broker and a topic/group namespace of its own. */
export interface TestKafka {
  brokers: string[];
  prefix: string;
  settings(clientId: string): KafkaSettings;
  /** A plain kafkajs client for the test's own probes. */
  client: Kafka;
}

export async function testKafka(options: { partitions?: number } = {}): Promise<TestKafka> {
  const run = loadTestRun();
  const brokers = run.brokers.split(',');
  const prefix = `${RUN_TOPIC_PREFIX(run.runId)}${randomBytes(3).toString('hex')}.`;
  const settings = (clientId: string): KafkaSettings => ({ brokers, clientId, topicPrefix: prefix });
  await ensureTopics(createKafka(settings('test-setup'), createLogger('test', 'silent')), settings('test-setup'), {
    partitions: options.partitions ?? 3,
    replicationFactor: 1,
  });
  return {
    brokers,
    prefix,
    settings,
    client: new Kafka({ brokers, clientId: 'test-probe', logLevel: logLevel.NOTHING }),
  };
}

export interface ReceivedMessage {
  key: string | null;
  value: string | null;
  headers: Record<string, string>;
  partition: number;
  offset: string;
}

/**
 * Records every message of a topic (from the beginning) for assertions. `stop()` when done.
 */
export class TopicRecorder {
  readonly messages: ReceivedMessage[] = [];
  private consumer?: Consumer;

  constructor(
    private readonly kafka: TestKafka,
    private readonly topic: string,
  ) {}

  async start(): Promise<this> {
    this.consumer = this.kafka.client.consumer({
      groupId: `${this.kafka.prefix}recorder-${randomBytes(4).toString('hex')}`,
      maxWaitTimeInMs: 100,
    });
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: qualify({ topicPrefix: this.kafka.prefix }, this.topic), fromBeginning: true });
    await this.consumer.run({
      eachMessage: async ({ message, partition }) => {
        this.messages.push(toReceived(message, partition));
      },
    });
    return this;
  }

  /** The parsed JSON values. */
  values<T = Record<string, unknown>>(): T[] {
    return this.messages.map((message) => JSON.parse(message.value ?? 'null') as T);
  }

  async waitForCount(count: number, timeoutMs = 20_000): Promise<ReceivedMessage[]> {
    await waitFor(() => this.messages.length >= count, { timeoutMs, description: `${count} message(s) on ${this.topic}` });
    return this.messages;
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}

function toReceived(message: KafkaMessage, partition: number): ReceivedMessage {
  return {
    key: message.key?.toString('utf8') ?? null,
    value: message.value?.toString('utf8') ?? null,
    headers: Object.fromEntries(
      Object.entries(message.headers ?? {}).map(([name, value]) => [name, value === undefined ? '' : value.toString()]),
    ),
    partition,
    offset: message.offset,
  };
}
