import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { Producer } from 'kafkajs';
import { Topics, UPDATE_USER, deadLetterTopic, messageKey, newEnvelope } from '@omni/contracts';
import { createLogger } from '@omni/observability';
import { TestKafka, TopicRecorder, testKafka, waitFor } from '@omni/testing';
import { MessageConsumer } from '../consumer/message-consumer';
import { createKafka, qualify } from '../kafka/kafka-settings';
import { MessagePublisher, recordFor } from '../kafka/message-publisher';
import { DLQ_HEADERS } from './dead-letter';

const execFileAsync = promisify(execFile);
const ROOT = path.resolve(__dirname, '../../../..');
const logger = createLogger('dlq-cli-test', 'silent');
const TOPIC = Topics.profileCommands;
const DLQ = deadLetterTopic(TOPIC);

/**
 * `npm run cli -- dlq …` against a real broker: a message a consumer cannot handle lands in the
 * DLQ; `list` counts it by reason, `show` prints it, `redrive` puts it back on its topic (same key
 * and headers) where the fixed consumer handles it, and a second redrive is refused unless forced.
 */
describe('the dlq CLI (real Kafka)', () => {
  let kafka: TestKafka;
  let publisher: MessagePublisher;
  let consumer: MessageConsumer;
  let producer: Producer;
  let commands: TopicRecorder;
  let deadLetters: TopicRecorder;
  /** The consumer's bug: while true, user.update fails (and, with one attempt, is dead-lettered). */
  let broken = true;
  const handled: string[] = [];

  const cli = (...args: string[]) =>
    execFileAsync(process.execPath, ['-r', '@swc-node/register', 'scripts/cli.ts', ...args], {
      cwd: ROOT,
      env: { ...process.env, KAFKA_BROKERS: kafka.brokers.join(','), KAFKA_TOPIC_PREFIX: kafka.prefix },
      timeout: 90_000,
    });
  const json = async <T = any>(...args: string[]): Promise<T> => JSON.parse((await cli('--json', ...args)).stdout) as T;

  beforeAll(async () => {
    kafka = await testKafka();
    const settings = kafka.settings('dlq-cli-test');
    publisher = new MessagePublisher(createKafka(settings, logger), settings);
    await publisher.connect();
    consumer = new MessageConsumer(createKafka(settings, logger), settings, publisher, logger, {
      groupId: 'dlq-cli-test',
      topics: [TOPIC],
      maxAttempts: 1,
      handlerFor: (type) =>
        type === UPDATE_USER
          ? async (message) => {
              if (broken) throw new Error(`handler bug: cannot handle ${message.id}`);
              handled.push(message.id);
            }
          : undefined,
    });
    await consumer.start();
    producer = kafka.client.producer();
    await producer.connect();
    [commands, deadLetters] = await Promise.all([new TopicRecorder(kafka, TOPIC).start(), new TopicRecorder(kafka, DLQ).start()]);
  }, 60_000);

  afterAll(async () => {
    await Promise.allSettled([consumer?.stop(), commands?.stop(), deadLetters?.stop(), producer?.disconnect(), publisher?.disconnect()]);
  });

  it('lists, shows and redrives a poison message; the fixed consumer handles it; a second redrive needs --force', async () => {
    const application = `app-${randomUUID().slice(0, 8)}`;
    const envelope = newEnvelope({ type: UPDATE_USER, application, aggregateId: 'u1', aggregateVersion: null, payload: { userName: 'Ada' } });
    const notUtf8 = Buffer.from([0x7b, 0xff, 0xfe, 0x00, 0x22]);
    await producer.send({ topic: qualify({ topicPrefix: kafka.prefix }, TOPIC), messages: [{ key: messageKey(application, 'u0'), value: notUtf8 }] });
    const record = recordFor(TOPIC, envelope);
    await publisher.publish([{ ...record, headers: { ...record.headers, 'x-trace': 'trace-7' } }]);
    await deadLetters.waitForCount(2, 30_000);
    const poison = deadLetters.messages.find((message) => message.headers[DLQ_HEADERS.reason] === 'handler-failed');
    const garbage = deadLetters.messages.find((message) => message.headers[DLQ_HEADERS.reason] === 'malformed-json');
    if (!poison || !garbage) throw new Error(`unexpected dead letters: ${JSON.stringify(deadLetters.messages.map((m) => m.headers))}`);

    // list: per DLQ topic the count and the reasons
    const listed = await json<{ topics: { topic: string; messages: number; redriven: number; reasons: Record<string, number> }[] }>('dlq', 'list');
    expect(listed.topics.find((topic) => topic.topic === DLQ)).toEqual(
      expect.objectContaining({ messages: 2, redriven: 0, reasons: { 'handler-failed': 1, 'malformed-json': 1 } }),
    );
    expect(listed.topics.find((topic) => topic.topic === deadLetterTopic(Topics.deviceCommands))).toEqual(expect.objectContaining({ messages: 0 }));
    const human = (await cli('dlq', 'list', '--topic', TOPIC)).stdout;
    expect(human).toContain(`${DLQ}: 2 dead letter(s)`);
    expect(human).toContain('handler-failed: 1');
    expect(human).not.toContain(deadLetterTopic(Topics.deviceCommands));

    // show: reason, source, error, headers and payload
    const shown = await json('dlq', 'show', DLQ, String(poison.partition), poison.offset);
    expect(shown).toMatchObject({
      topic: DLQ,
      partition: poison.partition,
      offset: poison.offset,
      key: messageKey(application, 'u1'),
      reason: 'handler-failed',
      source: { topic: TOPIC, partition: Number(poison.headers[DLQ_HEADERS.sourcePartition]), offset: poison.headers[DLQ_HEADERS.sourceOffset] },
      consumer: 'dlq-cli-test',
      headers: expect.objectContaining({ 'message-type': UPDATE_USER, 'x-trace': 'trace-7' }),
      payload: { encoding: 'json', value: envelope },
      redriven: [],
    });
    expect(shown.detail).toContain(`handler bug: cannot handle ${envelope.id}`);
    expect(Object.keys(shown.headers).filter((name: string) => name.startsWith('dlq-'))).toEqual([]);
    const shownHuman = (await cli('dlq', 'show', DLQ, String(poison.partition), poison.offset)).stdout;
    expect(shownHuman).toContain('reason:    handler-failed');
    expect(shownHuman).toContain(`"id": "${envelope.id}"`);
    const binary = await json('dlq', 'show', DLQ, String(garbage.partition), garbage.offset);
    expect(binary.payload).toEqual({ encoding: 'base64', value: notUtf8.toString('base64') });

    // A dry run sends nothing.
    const dry = await json('dlq', 'redrive', DLQ, '--partition', String(poison.partition), '--offset', poison.offset, '--dry-run');
    expect(dry).toMatchObject({ dryRun: true, redriven: [{ partition: poison.partition, offset: poison.offset, to: TOPIC }], skipped: [] });
    expect((await json('dlq', 'list', '--topic', DLQ)).topics[0].redriven).toBe(0);

    // The consumer is fixed; the redrive puts the message back, with its key and headers, and it is handled.
    broken = false;
    const sentBefore = commands.messages.length;
    const redriven = (await cli('dlq', 'redrive', DLQ, '--partition', String(poison.partition), '--offset', poison.offset)).stdout;
    expect(redriven).toContain('1 redriven');
    await waitFor(() => handled.includes(envelope.id), { timeoutMs: 30_000, description: 'the redriven message handled' });
    await waitFor(() => commands.messages.length > sentBefore, { description: 'the redriven record on its topic' });
    const resent = commands.messages.slice(sentBefore);
    expect(resent).toHaveLength(1);
    expect(resent[0].key).toBe(messageKey(application, 'u1'));
    expect(JSON.parse(resent[0].value ?? '')).toEqual(envelope);
    expect(resent[0].headers).toMatchObject({ 'message-type': UPDATE_USER, 'message-id': envelope.id, 'x-trace': 'trace-7', 'dlq-redriven-from': `${DLQ}/${poison.partition}/${poison.offset}` });
    expect(Object.keys(resent[0].headers).filter((name) => name.startsWith('dlq-') && name !== 'dlq-redriven-from')).toEqual([]);

    // Recorded: list and show say so; a second redrive is refused; --all skips it; --force sends it again.
    expect((await json('dlq', 'list', '--topic', DLQ)).topics[0]).toMatchObject({ messages: 2, redriven: 1 });
    expect((await json('dlq', 'show', DLQ, String(poison.partition), poison.offset)).redriven).toEqual([expect.objectContaining({ to: TOPIC })]);
    await expect(cli('dlq', 'redrive', DLQ, '--partition', String(poison.partition), '--offset', poison.offset)).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('already redriven'),
    });
    const all = await json('dlq', 'redrive', DLQ, '--all', '--dry-run');
    expect(all).toMatchObject({
      redriven: [{ partition: garbage.partition, offset: garbage.offset }],
      skipped: [{ partition: poison.partition, offset: poison.offset, why: expect.stringContaining('already redriven') }],
    });
    await cli('dlq', 'redrive', DLQ, '--partition', String(poison.partition), '--offset', poison.offset, '--force');
    await waitFor(() => handled.filter((id) => id === envelope.id).length === 2, { timeoutMs: 30_000, description: 'the forced redrive handled' });
    // Nothing went back to the DLQ (the fixed consumer handled both), and the redrive markers are not dead letters.
    expect((await json('dlq', 'list', '--topic', DLQ)).topics[0]).toMatchObject({ messages: 2, redriven: 1 });

    // Operator mistakes are named.
    await expect(cli('dlq', 'redrive', DLQ)).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('--all') });
    await expect(cli('dlq', 'show', DLQ, '0', '999999')).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('no dead letter') });
    await expect(cli('dlq', 'list', '--topic', 'no.such.topic')).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('no dead-letter topic') });
  }, 240_000);
});
