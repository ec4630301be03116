import { DataSource } from 'typeorm';
import { Envelope, Topics, deadLetterTopic, newEnvelope } from '@omni/contracts';
import { Inbox, MessagePublisher, Outbox, OutboxRelay, OutboxRow, OutgoingRecord, createKafka, outboxInboxDdl, watchOutboxRelay } from '../src';
import { HealthRegistry, MetricsRegistry, createLogger } from '@omni/observability';
import { TransactionRunner, createServiceDataSource } from '@omni/persistence';
import { TestDatabase, TestKafka, TopicRecorder, testDatabase, testKafka, waitFor } from '@omni/testing';

const SCHEMA = 'relay_test';
const logger = createLogger('outbox-relay-test', 'silent');

function event(application: string, aggregateId: string, version: number): Envelope {
  return newEnvelope({ type: 'user.renamed', application, aggregateId, aggregateVersion: version, payload: { userName: `v${version}` } });
}

describe('outbox relay (real PostgreSQL and Kafka)', () => {
  let db: TestDatabase;
  let kafka: TestKafka;
  let dataSource: DataSource;
  let tx: TransactionRunner;
  const outbox = new Outbox(SCHEMA);
  const publishers: MessagePublisher[] = [];
  let recorder: TopicRecorder;

  async function newRelay(): Promise<OutboxRelay> {
    const publisher = new MessagePublisher(createKafka(kafka.settings('relay-test'), logger), kafka.settings('relay-test'));
    await publisher.connect();
    publishers.push(publisher);
    return new OutboxRelay(dataSource, publisher, logger, { schema: SCHEMA, pollIntervalMs: 50, batchSize: 7 });
  }

  const published = () => recorder.values<Envelope>();

  beforeAll(async () => {
    [db, kafka] = await Promise.all([testDatabase(), testKafka()]);
    dataSource = await createServiceDataSource({ url: db.url, schema: SCHEMA, applicationName: 'relay-test' }).initialize();
    await dataSource.query(`CREATE SCHEMA ${SCHEMA}`);
    for (const statement of outboxInboxDdl(SCHEMA)) await dataSource.query(statement);
    tx = new TransactionRunner(dataSource);
    recorder = await new TopicRecorder(kafka, Topics.profileEvents).start();
  });

  afterAll(async () => {
    await recorder?.stop();
    await Promise.all(publishers.map((publisher) => publisher.disconnect()));
    await dataSource?.destroy();
    await db?.drop();
  });

  it('a rolled-back transaction publishes nothing', async () => {
    const relay = await newRelay();
    const rolledBack = event('app-rollback', 'u1', 1);
    await expect(
      tx.run(async (em) => {
        await outbox.add(em, Topics.profileEvents, rolledBack);
        throw new Error('use case failed after writing its event');
      }),
    ).rejects.toThrow('use case failed');
    const committed = event('app-rollback', 'u2', 1);
    await tx.run((em) => outbox.add(em, Topics.profileEvents, committed));

    relay.start();
    await waitFor(() => published().some((message) => message.id === committed.id), { description: 'the committed event' });
    await relay.stop();

    expect(published().map((message) => message.id)).not.toContain(rolledBack.id);
    expect(await relay.backlog()).toBe(0);
  });

  it('an event committed while no relay ran (a crash before publishing) is published after restart', async () => {
    const before = event('app-crash', 'u1', 1);
    await tx.run((em) => outbox.add(em, Topics.profileEvents, before));
    // No relay was running: the row waits in the outbox. A new process starts its relay:
    const relay = await newRelay();
    expect(await relay.backlog()).toBe(1);
    relay.start();
    await waitFor(() => published().some((message) => message.id === before.id), { description: 'the pending event' });
    await relay.stop();
    expect(await relay.backlog()).toBe(0);
    const [message] = recorder.messages.filter((m) => JSON.parse(m.value ?? '{}').id === before.id);
    expect(message.key).toBe('app-crash:u1');
    expect(message.headers['message-type']).toBe('user.renamed');
  });

  it('two relays running at once publish each aggregate in commit order, each event once', async () => {
    const aggregates = ['a', 'b', 'c'];
    const written: Envelope[] = [];
    for (let version = 1; version <= 20; version++) {
      await tx.run(async (em) => {
        const batch = aggregates.map((id) => event('app-order', id, version));
        written.push(...batch);
        await outbox.add(em, Topics.profileEvents, ...batch);
      });
    }
    const [first, second] = [await newRelay(), await newRelay()];
    first.start();
    second.start();
    await waitFor(
      () => published().filter((message) => message.application === 'app-order').length >= written.length,
      { description: 'every event of app-order' },
    );
    await Promise.all([first.stop(), second.stop()]);

    const ours = published().filter((message) => message.application === 'app-order');
    expect(ours).toHaveLength(written.length);
    for (const id of aggregates) {
      expect(ours.filter((message) => message.aggregateId === id).map((message) => message.aggregateVersion)).toEqual(
        Array.from({ length: 20 }, (_, index) => index + 1),
      );
    }
  });

  it('publishes rows handed over after commit from memory, and never a handed row the table no longer holds', async () => {
    const relay = await newRelay();
    const handing = new Outbox(SCHEMA, (rows) => relay.handOff(rows));
    const kept = event('app-handoff', 'u1', 1);
    const erased = event('app-handoff', 'u2', 1);
    const handed: OutboxRow[] = [];
    const capture = new Outbox(SCHEMA, (rows) => handed.push(...rows));
    await tx.batch(() => tx.run((em) => capture.add(em, Topics.profileEvents, erased)));
    // An erasure deletes the row after it was handed over: the table decides what is published.
    await dataSource.query(`DELETE FROM ${SCHEMA}.outbox WHERE message_id = $1`, [erased.id]);
    relay.handOff(handed);
    await tx.batch(() => tx.run((em) => handing.add(em, Topics.profileEvents, kept)));
    // What the relay publishes is what it was handed, not read back: mark the table's copy.
    await dataSource.query(`UPDATE ${SCHEMA}.outbox SET envelope = jsonb_set(envelope, '{payload,userName}', '"read back"') WHERE message_id = $1`, [kept.id]);

    relay.start();
    await waitFor(() => published().some((message) => message.id === kept.id), { description: 'the handed-over event' });
    await relay.stop();
    const message = published().find((m) => m.id === kept.id)!;
    expect(message.payload).toEqual({ userName: 'v1' });
    expect(published().map((m) => m.id)).not.toContain(erased.id);
    expect(await relay.backlog()).toBe(0);
  });

  it('dead-letters a row too large for Kafka in its place, and publishes the rows after it', async () => {
    const dlq = await new TopicRecorder(kafka, deadLetterTopic(Topics.profileEvents)).start();
    try {
      const huge = newEnvelope({ type: 'user.renamed', application: 'app-huge', aggregateId: 'u1', aggregateVersion: 1, payload: { userName: 'x'.repeat(1_100_000) } });
      const after = event('app-huge', 'u2', 1);
      await tx.run((em) => outbox.add(em, Topics.profileEvents, huge, after));
      const relay = await newRelay();
      relay.start();
      await waitFor(() => published().some((message) => message.id === after.id), { description: 'the row after the large one' });
      await waitFor(() => dlq.messages.length > 0, { description: 'the dead letter' });
      await relay.stop();

      expect(published().map((message) => message.id)).not.toContain(huge.id);
      const [letter] = dlq.messages;
      expect(letter.key).toBe('app-huge:u1');
      expect(letter.value).toBeNull();
      expect(letter.headers).toMatchObject({ 'dlq-reason': 'too-large', 'dlq-source-topic': Topics.profileEvents, 'message-id': huge.id });
      expect(await relay.backlog()).toBe(0);
    } finally {
      await dlq.stop();
    }
  });

  it('a relay that cannot publish shows it in readiness and metrics, and recovers by itself once it can', async () => {
    class FlakyPublisher extends MessagePublisher {
      broken = true;
      override async publish(records: OutgoingRecord[]): Promise<void> {
        if (this.broken) throw new Error('broker away');
        return super.publish(records);
      }
    }
    const settings = kafka.settings('relay-test');
    const publisher = new FlakyPublisher(createKafka(settings, logger), settings);
    await publisher.connect();
    publishers.push(publisher);
    const relay = new OutboxRelay(dataSource, publisher, logger, { schema: SCHEMA, pollIntervalMs: 50 });
    const health = new HealthRegistry();
    const metrics = new MetricsRegistry();
    watchOutboxRelay(relay, health, metrics, 300);
    const waiting = event('app-flaky', 'u1', 1);
    await tx.run((em) => outbox.add(em, Topics.profileEvents, waiting));

    relay.start();
    await waitFor(async () => !(await health.run()).ok, { description: 'readiness down while the relay fails' });
    expect(relay.failing().error).toEqual(new Error('broker away'));
    expect(await metrics.registry.getSingleMetricAsString('outbox_relay_failing_seconds')).toMatch(/outbox_relay_failing_seconds [1-9]|outbox_relay_failing_seconds 0\.[3-9]/);

    publisher.broken = false;
    await waitFor(() => published().some((message) => message.id === waiting.id), { timeoutMs: 15_000, description: 'published once the broker is back' });
    // The consumer can see the message before the relay has marked its row published and cleared the failure.
    await waitFor(() => relay.failing().forMs === 0, { description: 'the failure cleared' });
    expect(relay.failing().error).toBeUndefined();
    expect((await health.run()).ok).toBe(true);
    await relay.stop();
  });

  it("a command for another service is published to its topic, and its row goes once published (it travels unsealed); an event's row stays", async () => {
    const commands = await new TopicRecorder(kafka, Topics.profileCommands).start();
    try {
      const command = newEnvelope({ type: 'user.override-user-data', application: 'app-forward', aggregateId: 'u1', aggregateVersion: null, payload: { userData: { firstName: 'Ada' } } });
      const fact = event('app-forward', 'd1', 1);
      await tx.run(async (em) => {
        await outbox.add(em, Topics.profileEvents, fact);
        await outbox.add(em, Topics.profileCommands, command);
      });
      const relay = await newRelay();
      relay.start();
      await waitFor(() => commands.values<Envelope>().some((message) => message.id === command.id), { description: 'the command on its topic' });
      await waitFor(async () => (await relay.backlog()) === 0, { description: 'both published' });
      await relay.stop();
      const rows = await dataSource.query(`SELECT message_id::text AS id FROM ${SCHEMA}.outbox WHERE message_id = ANY($1::uuid[])`, [[command.id, fact.id]]);
      expect(rows).toEqual([{ id: fact.id }]);
    } finally {
      await commands.stop();
    }
  });

  it('a redelivered message id is claimed once by the inbox', async () => {
    const inbox = new Inbox(SCHEMA);
    const first = await tx.run((em) => inbox.claim(em, 'test-consumer', '0b8f4a4e-3a0c-4c59-9a40-5f7f2c0d3e01'));
    const again = await tx.run((em) => inbox.claim(em, 'test-consumer', '0b8f4a4e-3a0c-4c59-9a40-5f7f2c0d3e01'));
    const otherConsumer = await tx.run((em) => inbox.claim(em, 'another-consumer', '0b8f4a4e-3a0c-4c59-9a40-5f7f2c0d3e01'));
    expect([first, again, otherConsumer]).toEqual([true, false, true]);
  });
});
