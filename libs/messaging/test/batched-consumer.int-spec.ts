import { randomUUID } from 'node:crypto';
import { Consumer, Producer } from 'kafkajs';
import { DataSource } from 'typeorm';
import { Message, MessageType, Topics, UPDATE_USER, deadLetterTopic, messageKey, newEnvelope } from '@omni/contracts';
import { createLogger } from '@omni/observability';
import { TransactionRunner, createServiceDataSource, queryRows } from '@omni/persistence';
import { TestDatabase, TestKafka, testDatabase, testKafka, waitFor } from '@omni/testing';
import { Inbox, MessageConsumer, MessagePublisher, createKafka, outboxInboxDdl, qualify } from '../src';

const SCHEMA = 'batch_test';
const GROUP = 'batched-consumer-test';
const TOPIC = Topics.profileCommands;
const PARTITION = 2;
const logger = createLogger('batched-consumer-test', 'silent');

/**
 * A consumer with a unit of work handles a fetched batch in one transaction, and when anything in
 * it fails, rolls it back and handles its messages one at a time: every message's effects commit
 * once, effects after commit happen once, a poison message is dead-lettered once. Real broker,
 * real database.
 */
describe('a consumer handling batches in one transaction (real Kafka and PostgreSQL)', () => {
  let db: TestDatabase;
  let kafka: TestKafka;
  let dataSource: DataSource;
  let tx: TransactionRunner;
  let publisher: MessagePublisher;
  let consumer: MessageConsumer;
  let producer: Producer;
  let deadLetters: Consumer;
  const deadLettered: string[] = [];
  /** Message ids, once each time a handler's transaction committed (TransactionRunner.afterCommit). */
  const afterCommit: string[] = [];
  /** How many times the handler ran for each message id (in a batch, then again alone, counts twice). */
  const attempts = new Map<string, number>();
  /** Fails the first time it is handled: its batch must roll back and go one at a time. */
  let failOnce = '';

  beforeAll(async () => {
    [db, kafka] = await Promise.all([testDatabase(), testKafka()]);
    dataSource = await createServiceDataSource({ url: db.url, schema: SCHEMA, applicationName: 'batch-test' }).initialize();
    await dataSource.query(`CREATE SCHEMA ${SCHEMA}`);
    await dataSource.query(`CREATE TABLE ${SCHEMA}.applied (message_id text NOT NULL, txid bigint NOT NULL, partition int NOT NULL)`);
    for (const statement of outboxInboxDdl(SCHEMA)) await dataSource.query(statement);
    await dataSource.query(`CREATE TABLE ${SCHEMA}.flushed (txid bigint NOT NULL, messages int NOT NULL)`);
    tx = new TransactionRunner(dataSource);

    const settings = kafka.settings('batch-test');
    publisher = new MessagePublisher(createKafka(settings, logger), settings);
    await publisher.connect();
    consumer = new MessageConsumer(createKafka(settings, logger), settings, publisher, logger, {
      groupId: GROUP,
      topics: [TOPIC],
      maxAttempts: 1,
      maxBatchMessages: 50,
      unitOfWork: (work) => tx.batch(work),
      beforeUnit: ({ ids, messages }) => {
        for (const message of messages) seenBeforeUnit.add(message.id);
        return inbox.claimAll(tx.shared()!.em, GROUP, ids);
      },
      handlerFor: (type) => (type === UPDATE_USER ? (message, context) => handle(message, context.partition) : undefined),
    });
    await consumer.start();
    producer = kafka.client.producer();
    await producer.connect();
    deadLetters = kafka.client.consumer({ groupId: `${kafka.prefix}dlq-${randomUUID()}`, maxWaitTimeInMs: 100 });
    await deadLetters.connect();
    await deadLetters.subscribe({ topic: qualify(settings, deadLetterTopic(TOPIC)), fromBeginning: true });
    await deadLetters.run({ eachMessage: async ({ message }) => void deadLettered.push(message.value?.toString() ?? '') });
  }, 60_000);

  afterAll(async () => {
    await Promise.allSettled([consumer?.stop(), deadLetters?.disconnect(), producer?.disconnect(), publisher?.disconnect()]);
    await dataSource?.destroy();
    await db?.drop();
  });

  const inbox = new Inbox(SCHEMA);
  /** The ids of the messages units were started with (what a service preloads by). */
  const seenBeforeUnit = new Set<unknown>();

  async function handle(message: Message<MessageType>, partition: number): Promise<void> {
    attempts.set(message.id, (attempts.get(message.id) ?? 0) + 1);
    await tx.run(async (em) => {
      if (!(await inbox.claim(em, GROUP, message.id))) return;
      await em.query(`INSERT INTO ${SCHEMA}.applied (message_id, txid, partition) VALUES ($1, txid_current(), $2)`, [message.id, partition]);
      if (message.id === failOnce && attempts.get(message.id) === 1) throw new Error('fails the first time');
    });
    // Once per batch, just before it commits: what a projection does for snapshots.
    const batch = tx.shared();
    if (batch) {
      const count = batch.local('count', () => ({ messages: 0 }));
      count.messages += 1;
      batch.once('flush', (em) => em.query(`INSERT INTO ${SCHEMA}.flushed (txid, messages) VALUES (txid_current(), $1)`, [count.messages]));
    }
    tx.afterCommit(() => afterCommit.push(message.id));
  }

  it('commits each message once, in fewer transactions than messages, and rolls back a failing batch whole', async () => {
    const application = `app-${randomUUID().slice(0, 8)}`;
    const envelopes = Array.from({ length: 240 }, (_, index) =>
      newEnvelope({ type: UPDATE_USER, application, aggregateId: `u${index}`, aggregateVersion: null, payload: { userName: `name ${index}` } }),
    );
    failOnce = envelopes[130].id;
    const poison = `{"not":"an envelope","n":${Date.now()}}`;
    const records = envelopes.map((envelope) => ({ key: messageKey(application, envelope.aggregateId), value: JSON.stringify(envelope), partition: PARTITION }));
    // One send: the consumer fetches them in large batches. The poison sits in the middle of a later group.
    records.splice(180, 0, { key: messageKey(application, 'u180'), value: poison, partition: PARTITION });
    await producer.send({ topic: qualify({ topicPrefix: kafka.prefix }, TOPIC), messages: records });

    await waitFor(() => envelopes.every((envelope) => afterCommit.includes(envelope.id)), { timeoutMs: 30_000, description: 'every message committed' });
    await waitFor(() => deadLettered.length >= 1, { timeoutMs: 20_000, description: 'the poison dead-lettered' });
    expect(envelopes.every((envelope) => seenBeforeUnit.has(envelope.id))).toBe(true);

    const applied = await queryRows<{ message_id: string; txid: string }>(
      dataSource,
      `SELECT message_id, txid::text FROM ${SCHEMA}.applied WHERE message_id = ANY($1::text[])`,
      [envelopes.map((envelope) => envelope.id)],
    );
    const ids = envelopes.map((envelope) => envelope.id);
    // Exactly once each: the rows of a rolled-back batch are gone.
    expect(applied.map((row) => row.message_id).sort()).toEqual([...ids].sort());
    expect([...afterCommit].sort()).toEqual([...ids].sort());
    // Batched: far fewer transactions than messages, also around the failures.
    const transactions = new Set(applied.map((row) => row.txid));
    expect(transactions.size).toBeLessThan(ids.length / 10);
    // The failing message ran twice (its batch, then again); the messages before it in its batch too.
    expect(attempts.get(failOnce)).toBe(2);
    expect([...attempts.values()].filter((count) => count === 2).length).toBeGreaterThan(1);
    // Each batched transaction flushed once, counting its own messages; one-at-a-time transactions did not.
    const flushed = await queryRows<{ txid: string; messages: number }>(
      dataSource,
      `SELECT txid::text, messages FROM ${SCHEMA}.flushed WHERE txid::text = ANY($1::text[])`,
      [[...transactions]],
    );
    expect(new Set(flushed.map((row) => row.txid)).size).toBe(flushed.length);
    for (const row of flushed) expect(applied.filter((applied) => applied.txid === row.txid)).toHaveLength(row.messages);
    // The poison went to the dead-letter topic once, from the one-at-a-time pass.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(deadLettered).toEqual([poison]);
  }, 60_000);

  it('handles the batches of every partition of a fetch in one transaction, and a message sent twice once', async () => {
    const application = `app-${randomUUID().slice(0, 8)}`;
    const envelopes = Array.from({ length: 90 }, (_, index) =>
      newEnvelope({ type: UPDATE_USER, application, aggregateId: `p${index}`, aggregateVersion: null, payload: { userName: `name ${index}` } }),
    );
    const recordOf = (envelope: (typeof envelopes)[number], index: number) => ({
      key: messageKey(application, envelope.aggregateId),
      value: JSON.stringify(envelope),
      partition: index % 3,
      headers: { 'message-id': envelope.id },
    });
    const records = envelopes.map(recordOf);
    // A redelivery right behind the original, in the same unit: its inbox claim must let it through once.
    records.splice(5, 0, recordOf(envelopes[4], 4));
    await producer.send({ topic: qualify({ topicPrefix: kafka.prefix }, TOPIC), messages: records });

    await waitFor(() => envelopes.every((envelope) => afterCommit.includes(envelope.id)), { timeoutMs: 30_000, description: 'every message committed' });
    const applied = await queryRows<{ message_id: string; txid: string; partition: number }>(
      dataSource,
      `SELECT message_id, txid::text, partition FROM ${SCHEMA}.applied WHERE message_id = ANY($1::text[])`,
      [envelopes.map((envelope) => envelope.id)],
    );
    expect(applied.map((row) => row.message_id).sort()).toEqual(envelopes.map((envelope) => envelope.id).sort());
    const partitionsOf = new Map<string, Set<number>>();
    for (const row of applied) partitionsOf.set(row.txid, (partitionsOf.get(row.txid) ?? new Set()).add(row.partition));
    expect(Math.max(...[...partitionsOf.values()].map((partitions) => partitions.size))).toBe(3);
  }, 60_000);
});
