import { INestApplication } from '@nestjs/common';
import { DataSource, QueryRunner } from 'typeorm';
import {
  ADD_RECIPIENT_TAGS,
  APPLICATION_CREATED,
  ApplicationSettings,
  CLEAR_RECIPIENT_TAGS,
  CONFIRM_RECIPIENT,
  CommandType,
  DEACTIVATE_RECIPIENT,
  ERASE_RECIPIENT_USER,
  Envelope,
  Message,
  RECIPIENT_ERASED,
  RECIPIENT_REGISTERED,
  REGISTER_RECIPIENT,
  REMOVE_RECIPIENT_TAGS,
  RecipientChannel,
  RegisterRecipientPayload,
  Topics,
  UPDATE_RECIPIENT,
  isSealed,
  newEnvelope,
  normaliseRecipientAddress,
  recipientId,
  ERASED_AGGREGATE_ID,
} from '@omni/contracts';
import { MessagePublisher, recordFor } from '@omni/messaging';
import { loadConfig } from '@omni/config';
import { createLogger } from '@omni/observability';
import { CommandServiceHarness, ScannedRow, TopicRecorder, schemaRows, startCommandService, waitFor } from '@omni/testing';
import { RecipientServiceConfig } from '../src/config';
import { RecipientServiceModule } from '../src/recipient-service.module';
import { UpdateRecipientUseCase } from '../src/use-cases/update-recipient/update-recipient.use-case';

const logger = createLogger('recipient-service-erase-test', 'silent');

type Outcome = Envelope<string, { commandId: string; commandType?: string; aggregateType?: string; created?: boolean; status?: number; code?: string }>;

/** A row of any table of the service's schema, as JSON text, with where it was found. */

describe('recipient-service: erasing a user (recipient.erase-user) on the real broker and database', () => {
  let app: INestApplication;
  let dataSource: DataSource;
  let publisher: MessagePublisher;
  let outcomes: TopicRecorder;
  let events: TopicRecorder;
  let harness: CommandServiceHarness;

  const APP = 'app-recipient-erase';
  const SETTINGS: ApplicationSettings = { userRegistration: 'sdk', userDataFields: [{ key: 'firstName', label: 'First name', type: 'text' }] };

  /** What the gateway does for POST /email and POST /sms: normalise, derive the id, key the command by it. */
  function register(
    channel: RecipientChannel,
    body: Omit<RegisterRecipientPayload, 'channel' | 'address' | 'normalisedAddress'> & { address: string },
  ): Message<typeof REGISTER_RECIPIENT> {
    const normalisedAddress = normaliseRecipientAddress(channel, body.address, body.region);
    if (!normalisedAddress) throw new Error('the test sent an invalid address');
    return newEnvelope({
      type: REGISTER_RECIPIENT,
      application: APP,
      aggregateId: recipientId(channel, normalisedAddress),
      aggregateVersion: null,
      payload: { ...body, channel, normalisedAddress },
    });
  }
  function command<T extends CommandType>(type: T, aggregateId: string, payload: Message<T>['payload']): Message<T> {
    return newEnvelope({ type, application: APP, aggregateId, aggregateVersion: null, payload });
  }
  const erase = (userId: string) => command(ERASE_RECIPIENT_USER, userId, { credential: 'master' });

  const send = (...commands: Envelope[]) => publisher.publish(commands.map((c) => recordFor(Topics.recipientCommands, c)));
  const outcomesOf = (commandId: string) => outcomes.values<Outcome>().filter((o) => o.payload.commandId === commandId);
  const eventsOf = (commandId: string) => events.values<Envelope>().filter((event) => event.correlationId === commandId);
  async function handled(...commands: Envelope[]): Promise<Outcome[]> {
    await send(...commands);
    for (const c of commands) await waitFor(() => outcomesOf(c.id).length > 0, { description: `the outcome of ${c.type} on ${c.aggregateId}` });
    return commands.map((c) => outcomesOf(c.id)[0]);
  }
  async function accepted(...commands: Envelope[]): Promise<void> {
    const answers = await handled(...commands);
    expect(answers.map((o) => [o.type, o.payload.code])).toEqual(commands.map(() => ['command.accepted', undefined]));
  }

  const row = async (id: string) =>
    (
      await dataSource.query(
        `SELECT recipient_id, channel, address, user_id, user_name, properties, tags, user_data, status, verification, token_hash, token_expires_at, version
           FROM recipient.recipients WHERE application = $1 AND recipient_id = $2`,
        [APP, id],
      )
    )[0];
  /** Events the command's transaction wrote to the outbox, by type (committed with its outcome, so complete once the outcome is seen). */
  const outboxEventsOf = async (commandId: string): Promise<string[]> =>
    (
      await dataSource.query("SELECT message_type FROM recipient.outbox WHERE envelope->>'correlationId' = $1 AND message_type NOT LIKE 'command.%' ORDER BY id", [
        commandId,
      ])
    ).map((r: { message_type: string }) => r.message_type);

  /** Every row of every table of the recipient-service's schema. */
  async function scanSchema(): Promise<ScannedRow[]> {
    const { tables, rows } = await schemaRows(dataSource, 'recipient');
    expect(tables).toEqual(expect.arrayContaining(['recipients', 'outbox', 'inbox', 'application_settings']));
    return rows;
  }

  /**
   * Where the values still stand in the schema. The one place a userID may stay: the outcome of the
   * erase command itself, whose aggregate id is the userID by contract (see the report).
   */
  async function traces(userId: string, values: string[]): Promise<{ table: string; value: string; row: string }[]> {
    const isEraseOutcome = ({ table, row: scanned }: ScannedRow) => {
      const envelope = scanned.envelope as { type?: string; payload?: { commandType?: string } } | undefined;
      return table === 'outbox' && envelope?.type?.startsWith('command.') === true && envelope.payload?.commandType === ERASE_RECIPIENT_USER;
    };
    return (await scanSchema()).flatMap((scanned) =>
      [userId, ...values]
        .filter((value) => scanned.text.includes(value))
        .filter((value) => !(value === userId && isEraseOutcome(scanned)))
        .map((value) => ({ table: scanned.table, value, row: scanned.text.slice(0, 300) })),
    );
  }

  beforeAll(async () => {
    harness = await startCommandService({
      name: 'recipient-service',
      commandsTopic: Topics.recipientCommands,
      eventsTopic: Topics.recipientEvents,
      outcomesTopic: Topics.commandOutcomes,
      logger,
      module: (env) => RecipientServiceModule.register(loadConfig(RecipientServiceConfig, env), logger),
    });
    ({ app, publisher, outcomes, events } = harness);
    dataSource = app.get(DataSource);
    const created = newEnvelope({ type: APPLICATION_CREATED, application: APP, aggregateId: APP, aggregateVersion: 1, payload: { name: APP, settings: SETTINGS } });
    await publisher.publish([recordFor(Topics.applicationEvents, created)]);
    await waitFor(async () => (await dataSource.query('SELECT 1 FROM recipient.application_settings WHERE application = $1', [APP])).length === 1, {
      description: "the service's copy of the settings",
    });
  });

  afterAll(async () => {
    await harness?.stop();
  });

  const USER = 'U-erase-c0ffee';
  const NAME = 'Erika Erasure-Q';
  const FIRST_NAME = 'Erikafirst-Zq';
  const EMAIL = 'erika.erasure+q@example.org';
  const PHONE = '+31 6 12345678';
  const PHONE_E164 = '+31612345678';
  const PENDING_EMAIL = 'erika.pending@example.org';

  it("every contact of the user is erased with recipient.erased, kept as a tombstone; nothing of the user's stays in the service's tables", async () => {
    const email = register('email', { address: EMAIL, userID: USER, userName: NAME, language: 'nl', region: 'NL', userData: { firstName: FIRST_NAME }, tags: ['vip'] });
    const sms = register('sms', { address: PHONE, userID: USER, userName: NAME, region: 'NL', timeZone: 'Europe/Amsterdam' });
    const pending = register('email', { address: PENDING_EMAIL, userID: USER, userName: NAME, verify: true });
    const keep = register('email', { address: 'kept@example.org', userID: 'U-keep', userName: 'Kept' });
    // The email's user data is the user's: forwarded to the profile-service, which answers for it (ADR 0015).
    await send(email);
    await accepted(sms, pending, keep);
    await waitFor(() => eventsOf(email.id).length === 1, { description: 'recipient.registered' });
    await accepted(command(DEACTIVATE_RECIPIENT, sms.aggregateId, { credential: 'master' }));
    const ids = [email.aggregateId, sms.aggregateId, pending.aggregateId];
    const before = await Promise.all(ids.map((id) => row(id)));
    const keepBefore = await row(keep.aggregateId);
    expect(before.map((r) => [r.user_id, r.status, r.verification])).toEqual([
      [USER, 'active', 'none'],
      [USER, 'inactive', 'none'],
      [USER, 'inactive', 'pending'],
    ]);
    // Their events were sealed for the user: no clear address on the topic.
    await waitFor(() => eventsOf(email.id).length === 1, { description: 'recipient.registered' });
    expect([isSealed((eventsOf(email.id)[0].payload as { address: unknown }).address), isSealed(eventsOf(email.id)[0].subject)]).toEqual([true, true]);

    const cmd = erase(USER);
    const [outcome] = await handled(cmd);

    expect(outcome).toMatchObject({
      type: 'command.accepted',
      aggregateId: ERASED_AGGREGATE_ID,
      aggregateVersion: 0,
      payload: { commandType: ERASE_RECIPIENT_USER, aggregateType: 'user' },
    });
    await waitFor(() => eventsOf(cmd.id).length === 3, { description: 'three recipient.erased events' });
    const erased = [...eventsOf(cmd.id)].sort((a, b) => a.aggregateId.localeCompare(b.aggregateId));
    const expected = ids
      .map((id, i) => [RECIPIENT_ERASED, id, before[i].version + 1, { status: 'erased' }, cmd.id])
      .sort((a, b) => String(a[1]).localeCompare(String(b[1])));
    expect(erased.map((e) => [e.type, e.aggregateId, e.aggregateVersion, e.payload, e.causationId])).toEqual(expected);
    for (const event of erased) expect(event).not.toHaveProperty('subject');

    // Tombstones: id, channel and version only.
    for (const [i, id] of ids.entries()) {
      expect(await row(id)).toEqual({
        recipient_id: id,
        channel: before[i].channel,
        address: null,
        user_id: null,
        user_name: null,
        properties: {},
        tags: [],
        user_data: {},
        status: 'erased',
        verification: 'none',
        token_hash: null,
        token_expires_at: null,
        version: before[i].version + 1,
      });
    }
    expect(await row(keep.aggregateId)).toEqual(keepBefore);

    // No table of the schema (recipients, outbox, inbox, settings) holds the user's values any more: not the
    // forwarded user data either (a published command leaves the outbox at once).
    const left = await traces(USER, [NAME, FIRST_NAME, EMAIL, PHONE_E164, PENDING_EMAIL, 'kept@example.org']);
    // The kept user's address stays in its row: the search finds what is there.
    expect(left.map((trace) => [trace.table, trace.value])).toEqual([['recipients', 'kept@example.org']]);
  });

  it('an erased contact answers every command but register as an unknown one (404), and changes nothing', async () => {
    const id = recipientId('email', EMAIL);
    const tombstone = await row(id);
    expect(tombstone).toMatchObject({ status: 'erased' });
    const others = [
      command(UPDATE_RECIPIENT, id, { language: 'en', userID: USER }),
      command(ADD_RECIPIENT_TAGS, id, { tags: ['x'] }),
      command(REMOVE_RECIPIENT_TAGS, id, { tags: ['vip'] }),
      command(CLEAR_RECIPIENT_TAGS, id, {}),
      command(DEACTIVATE_RECIPIENT, id, { credential: 'master' }),
      command(CONFIRM_RECIPIENT, recipientId('email', PENDING_EMAIL), { token: 'A'.repeat(43) }),
    ];

    const answers = await handled(...others);

    expect(answers.map((o) => [o.type, o.payload.status, o.payload.code])).toEqual(others.map(() => ['command.rejected', 404, 'RECIPIENT_NOT_FOUND']));
    expect(await row(id)).toEqual(tombstone);
  });

  it('registering an erased address again starts a new contact: created, active, continuing the tombstone version', async () => {
    const id = recipientId('email', EMAIL);
    const tombstone = await row(id);
    const again = register('email', { address: `  ${EMAIL.replace('example.org', 'EXAMPLE.org')} `, userID: 'U-new-owner', language: 'en' });
    expect(again.aggregateId).toBe(id);

    const [outcome] = await handled(again);

    expect(outcome).toMatchObject({ type: 'command.accepted', aggregateId: id, aggregateVersion: tombstone.version + 1, payload: { created: true } });
    await waitFor(() => eventsOf(again.id).length === 1, { description: 'recipient.registered' });
    expect(eventsOf(again.id)[0]).toMatchObject({ type: RECIPIENT_REGISTERED, aggregateId: id, aggregateVersion: tombstone.version + 1 });
    expect(await row(id)).toMatchObject({
      address: EMAIL,
      user_id: 'U-new-owner',
      user_name: null,
      properties: { language: 'en' },
      tags: [],
      user_data: {},
      status: 'active',
      verification: 'none',
      version: tombstone.version + 1,
    });
    // And it is an ordinary contact again.
    await accepted(command(ADD_RECIPIENT_TAGS, id, { tags: ['back'] }));
    expect(await row(id)).toMatchObject({ tags: ['back'], version: tombstone.version + 2 });
  });

  it('erasing the same user again, or a user with no contacts, is accepted with no events', async () => {
    const again = erase(USER);
    const nobody = erase('U-never-seen');

    const answers = await handled(again, nobody);

    for (const answer of answers) {
      expect(answer).toMatchObject({ type: 'command.accepted', aggregateVersion: 0, payload: { commandType: ERASE_RECIPIENT_USER, aggregateType: 'user' } });
    }
    expect(await outboxEventsOf(again.id)).toEqual([]);
    expect(await outboxEventsOf(nobody.id)).toEqual([]);
  });

  it('an update of the contact racing the erasure cannot bring the user back: the erasure waits for it and erases what it wrote', async () => {
    const RACER = 'U-erase-race';
    const contact = register('sms', { address: '+44 7911 123457', userID: RACER, userName: 'Racer' });
    await accepted(contact);
    const updater: QueryRunner = dataSource.createQueryRunner();
    const cmd = erase(RACER);
    try {
      await updater.startTransaction();
      const update = command(UPDATE_RECIPIENT, contact.aggregateId, { userName: 'Racer Renamed', userID: RACER, language: 'en' });
      expect(await app.get(UpdateRecipientUseCase).execute(updater.manager, update)).toMatchObject({ kind: 'accepted' });
      await send(cmd);
      await waitFor(
        async () =>
          (await dataSource.query("SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'")).length > 0,
        { description: 'the erasure waiting for the update' },
      );
      expect(outcomesOf(cmd.id)).toEqual([]);
      await updater.commitTransaction();
    } finally {
      if (updater.isTransactionActive) await updater.rollbackTransaction();
      await updater.release();
    }

    await waitFor(() => outcomesOf(cmd.id).length > 0, { description: 'the outcome of the erasure' });
    expect(outcomesOf(cmd.id)[0]).toMatchObject({ type: 'command.accepted', aggregateVersion: 0 });
    expect(await outboxEventsOf(cmd.id)).toEqual([RECIPIENT_ERASED]);
    expect(await row(contact.aggregateId)).toMatchObject({ address: null, user_id: null, user_name: null, user_data: {}, properties: {}, status: 'erased' });
    expect(await traces(RACER, ['Racer Renamed', '+447911123457'])).toEqual([]);
  });
});
