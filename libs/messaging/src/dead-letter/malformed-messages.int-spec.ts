import { randomUUID } from 'node:crypto';
import { Consumer, IHeaders, Producer } from 'kafkajs';
import { Envelope, Message, MessageType, Topics, UPDATE_USER, deadLetterTopic, messageKey, newEnvelope } from '@omni/contracts';
import { createLogger } from '@omni/observability';
import { TestKafka, testKafka, waitFor } from '@omni/testing';
import { MessageConsumer } from '../consumer/message-consumer';
import { createKafka, qualify } from '../kafka/kafka-settings';
import { MessagePublisher } from '../kafka/message-publisher';
import { DLQ_HEADERS, headerText, originalHeaders } from './dead-letter';

const logger = createLogger('malformed-messages-test', 'silent');
const GROUP = 'malformed-messages-test';
const TOPIC = Topics.profileCommands;
/** Every message goes to this partition, so "the partition moves on" is about one partition. */
const PARTITION = 1;

interface RawMessage {
  key: Buffer | null;
  value: Buffer | null;
  headers: IHeaders;
  partition: number;
  offset: string;
}

/**
 * Messages a consumer cannot decode — not JSON, not UTF-8, empty, an unknown type, an unsupported
 * schema version, no application — go to `<topic>.dlq` byte for byte with their reason, and the
 * valid message behind them on the same partition is handled: nothing stalls. Real broker.
 */
describe('malformed messages on a consumed topic (real Kafka)', () => {
  let kafka: TestKafka;
  let publisher: MessagePublisher;
  let consumer: MessageConsumer;
  let producer: Producer;
  let recorder: Consumer;
  const handled: Message<MessageType>[] = [];
  const deadLetters: RawMessage[] = [];

  beforeAll(async () => {
    kafka = await testKafka();
    const settings = kafka.settings('malformed-test');
    publisher = new MessagePublisher(createKafka(settings, logger), settings);
    await publisher.connect();
    consumer = new MessageConsumer(createKafka(settings, logger), settings, publisher, logger, {
      groupId: GROUP,
      topics: [TOPIC],
      maxAttempts: 1,
      handlerFor: (type) =>
        type === UPDATE_USER
          ? async (message) => {
              handled.push(message);
            }
          : undefined,
    });
    await consumer.start();
    producer = kafka.client.producer();
    await producer.connect();
    recorder = kafka.client.consumer({ groupId: `${kafka.prefix}dlq-recorder-${randomUUID()}`, maxWaitTimeInMs: 100 });
    await recorder.connect();
    await recorder.subscribe({ topic: qualify({ topicPrefix: kafka.prefix }, deadLetterTopic(TOPIC)), fromBeginning: true });
    await recorder.run({
      eachMessage: async ({ message, partition }) => {
        deadLetters.push({ key: message.key, value: message.value, headers: message.headers ?? {}, partition, offset: message.offset });
      },
    });
  }, 60_000);

  afterAll(async () => {
    await Promise.allSettled([consumer?.stop(), recorder?.disconnect(), producer?.disconnect(), publisher?.disconnect()]);
  });

  it('each goes to the dead-letter topic unchanged with its reason and source, and the valid message after them is handled', async () => {
    const application = `app-${randomUUID().slice(0, 8)}`;
    const key = messageKey(application, 'u1');
    const valid = newEnvelope({ type: UPDATE_USER, application, aggregateId: 'u1', aggregateVersion: null, payload: { userName: 'Ada' } });
    const variant = (changes: Partial<Record<keyof Envelope, unknown>>, without?: keyof Envelope): string => {
      const copy: Record<string, unknown> = { ...valid, id: randomUUID(), ...changes };
      if (without) delete copy[without];
      return JSON.stringify(copy);
    };
    const poison: { what: string; reason: string; value: Buffer | null; key?: string }[] = [
      { what: 'truncated JSON', reason: 'malformed-json', value: Buffer.from(JSON.stringify(valid).slice(0, 40)) },
      { what: 'bytes that are not UTF-8', reason: 'malformed-json', value: Buffer.from([0xff, 0xfe, 0x00, 0xc3, 0x28, 0xa0, 0xa1]) },
      { what: 'an empty value', reason: 'malformed-json', value: null },
      { what: 'JSON that is not an object', reason: 'invalid-envelope', value: Buffer.from('[1,2,3]') },
      { what: 'an unknown type', reason: 'unknown-type', value: Buffer.from(variant({ type: 'user.teleport' })) },
      { what: 'an unsupported schema version', reason: 'unsupported-version', value: Buffer.from(variant({ schemaVersion: 99 })) },
      { what: 'no application', reason: 'invalid-envelope', value: Buffer.from(variant({}, 'application')) },
      { what: 'an empty application', reason: 'invalid-envelope', value: Buffer.from(variant({ application: '' })) },
      { what: 'a key that is not its application and aggregate', reason: 'invalid-envelope', value: Buffer.from(variant({})), key: 'another-app:u1' },
    ];
    const topic = qualify({ topicPrefix: kafka.prefix }, TOPIC);
    const sent: { offset: string; what: string; reason: string; value: Buffer | null; key: string }[] = [];
    for (const message of poison) {
      const [result] = await producer.send({
        topic,
        messages: [{ key: message.key ?? key, value: message.value, partition: PARTITION, headers: { 'x-trace': 'trace-1', 'message-type': 'user.update' } }],
      });
      sent.push({ offset: result.baseOffset ?? '', what: message.what, reason: message.reason, value: message.value, key: message.key ?? key });
    }
    const [last] = await producer.send({ topic, messages: [{ key, value: JSON.stringify(valid), partition: PARTITION }] });

    await waitFor(() => handled.some((message) => message.id === valid.id), { timeoutMs: 30_000, description: 'the valid message after the poison' });
    await waitFor(() => deadLetters.length >= poison.length, { timeoutMs: 30_000, description: `${poison.length} dead letters` });

    // The valid message was handled, and nothing else was.
    expect(handled.map((message) => message.id)).toEqual([valid.id]);
    // Each poison message is in the DLQ once, byte for byte, with its reason, source and own headers.
    expect(deadLetters).toHaveLength(poison.length);
    for (const expected of sent) {
      const found = deadLetters.filter((message) => headerText(message.headers, DLQ_HEADERS.sourceOffset) === expected.offset);
      expect([expected.what, found.length]).toEqual([expected.what, 1]);
      const [letter] = found;
      expect([expected.what, headerText(letter.headers, DLQ_HEADERS.reason)]).toEqual([expected.what, expected.reason]);
      expect(letter.value === null ? null : Buffer.compare(letter.value, expected.value ?? Buffer.alloc(0))).toBe(expected.value === null ? null : 0);
      expect(letter.key?.toString()).toBe(expected.key);
      expect(headerText(letter.headers, DLQ_HEADERS.sourceTopic)).toBe(TOPIC);
      expect(headerText(letter.headers, DLQ_HEADERS.sourcePartition)).toBe(String(PARTITION));
      expect(headerText(letter.headers, DLQ_HEADERS.consumer)).toBe(GROUP);
      expect(headerText(letter.headers, DLQ_HEADERS.detail)).toBeTruthy();
      expect(Object.keys(originalHeaders(letter.headers)).sort()).toEqual(['message-type', 'x-trace']);
      expect(headerText(letter.headers, 'x-trace')).toBe('trace-1');
    }
    // The group's committed offset on the partition is past the valid message: the partition moved on.
    const admin = kafka.client.admin();
    await admin.connect();
    try {
      await waitFor(
        async () => {
          const [offsets] = await admin.fetchOffsets({ groupId: qualify({ topicPrefix: kafka.prefix }, GROUP), topics: [topic] });
          return offsets.partitions.find((partition) => partition.partition === PARTITION)?.offset === String(Number(last.baseOffset) + 1);
        },
        { timeoutMs: 20_000, description: 'the committed offset past the valid message' },
      );
    } finally {
      await admin.disconnect();
    }
  });
});
