import { Writable } from 'node:stream';
import { INestApplication } from '@nestjs/common';
import pino from 'pino';
import { DataSource } from 'typeorm';
import {
  ADD_RECIPIENT_TAGS,
  APPLICATION_CREATED,
  ApplicationSettings,
  CONFIRM_RECIPIENT,
  CommandType,
  Envelope,
  Message,
  REGISTER_RECIPIENT,
  RecipientChannel,
  RegisterRecipientPayload,
  Topics,
  newEnvelope,
  normaliseRecipientAddress,
  recipientId,
} from '@omni/contracts';
import { DLQ_HEADERS, MessagePublisher, OutgoingRecord, isTransientError, recordFor } from '@omni/messaging';
import { EventOpener } from '@omni/personal-data';
import { loadConfig } from '@omni/config';
import { Logger, REDACTED_PATHS } from '@omni/observability';
import { CommandServiceHarness, TopicRecorder, startCommandService, waitFor } from '@omni/testing';
import { RecipientServiceConfig } from '../src/config';
import { RecipientServiceModule } from '../src/recipient-service.module';
import { RegisterRecipientUseCase } from '../src/use-cases/register-recipient/register-recipient.use-case';

/** Every line the service logs, at the most verbose level: addresses must never be among them. */
const logLines: string[] = [];
const logger: Logger = pino(
  { level: 'trace', base: { service: 'recipient-service-test' }, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } },
  new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(chunk.toString('utf8'));
      done();
    },
  }),
);

/** And everything printed to the console (TypeORM prints failing queries with their parameters there). */
const consoleLines: string[] = [];
for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
  jest.spyOn(console, method).mockImplementation((...args: unknown[]) => {
    consoleLines.push(args.map(String).join(' '));
  });
}

type Outcome = Envelope<string, { commandId: string; created?: boolean; status?: number; code?: string; fields?: { field: string }[] }>;

describe('recipient-service on the real broker and database', () => {
  let app: INestApplication;
  let publisher: MessagePublisher;
  let outcomes: TopicRecorder;
  let events: TopicRecorder;
  let deadLetters: TopicRecorder;

  const APP = 'app-recipient-int';
  const API_APP = 'app-recipient-int-api';
  /** Every address the tests send, to check that none reaches a log line. */
  const addresses = new Set<string>();

  /** What the gateway does for POST /email and POST /sms: normalise, derive the id, key the command by it. */
  function register(
    channel: RecipientChannel,
    body: Omit<RegisterRecipientPayload, 'channel' | 'address' | 'normalisedAddress'> & { address: string },
    application = APP,
  ): Message<typeof REGISTER_RECIPIENT> {
    const normalisedAddress = normaliseRecipientAddress(channel, body.address, body.region);
    if (!normalisedAddress) throw new Error('the test sent an invalid address');
    addresses.add(body.address.trim());
    addresses.add(normalisedAddress);
    return newEnvelope({
      type: REGISTER_RECIPIENT,
      application,
      aggregateId: recipientId(channel, normalisedAddress),
      aggregateVersion: null,
      payload: { ...body, channel, normalisedAddress },
    });
  }

  function command<T extends CommandType>(type: T, id: string, payload: Message<T>['payload'], application = APP): Message<T> {
    return newEnvelope({ type, application, aggregateId: id, aggregateVersion: null, payload });
  }

  const send = (...commands: Envelope[]) => publisher.publish(commands.map((c) => recordFor(Topics.recipientCommands, c)));
  const sendRecords = (...records: OutgoingRecord[]) => publisher.publish(records);
  const outcomesOf = (commandId: string) => outcomes.values<Outcome>().filter((o) => o.payload.commandId === commandId);
  const eventsOf = (commandId: string) => events.values<Envelope>().filter((event) => event.correlationId === commandId);
  /** The same events as a reader holding the keys sees them: personal data sealed for the contact's user, opened. */
  const openedEventsOf = (commandId: string): Promise<Envelope[]> =>
    Promise.all(
      eventsOf(commandId).map(async (event) => {
        const opened = await new EventOpener().open(app.get(DataSource), { ...event });
        if (!opened) throw new Error(`${event.type} did not open`);
        return opened as unknown as Envelope;
      }),
    );
  async function outcomeOf(commandId: string): Promise<Outcome> {
    await waitFor(() => outcomesOf(commandId).length > 0, { description: `the outcome of ${commandId}` });
    return outcomesOf(commandId)[0];
  }
  const rows = (id: string, application = APP) =>
    app
      .get(DataSource)
      .query(
        'SELECT recipient_id, channel, address, user_id, user_name, tags, status, verification, token_hash, version FROM recipient.recipients WHERE application = $1 AND recipient_id = $2',
        [application, id],
      );

  let harness: CommandServiceHarness;

  beforeAll(async () => {
    harness = await startCommandService({
      name: 'recipient-service',
      commandsTopic: Topics.recipientCommands,
      eventsTopic: Topics.recipientEvents,
      outcomesTopic: Topics.commandOutcomes,
      logger,
      module: (env) => RecipientServiceModule.register(loadConfig(RecipientServiceConfig, env), logger),
    });
    ({ app, publisher, outcomes, events, deadLetters } = harness);
  });

  afterAll(async () => {
    await harness?.stop();
  });

  it("the article's email and SMS bodies register two recipients of the user, each created, each with recipient.registered", async () => {
    const email = register('email', { address: 'myemail@domain.com', userID: 'U123456789', userName: 'John Doe', language: 'en', region: 'NL' });
    const sms = register('sms', { address: '+31123456789', userID: 'U123456789', userName: 'John Doe', language: 'en', region: 'NL' });
    await send(email, sms);

    for (const [cmd, channel, address] of [
      [email, 'email', 'myemail@domain.com'],
      [sms, 'sms', '+31123456789'],
    ] as const) {
      expect(await outcomeOf(cmd.id)).toMatchObject({
        type: 'command.accepted',
        aggregateId: cmd.aggregateId,
        aggregateVersion: 1,
        payload: { commandType: REGISTER_RECIPIENT, aggregateType: 'recipient', created: true },
      });
      await waitFor(() => eventsOf(cmd.id).length === 1, { description: 'recipient.registered' });
      // On the wire the address is sealed with the user's key (the subject, sealed too); opened, it reads as sent.
      const [raw] = eventsOf(cmd.id) as Envelope<string, { address: string }>[];
      expect([raw.subject, raw.payload.address].map((value) => value?.startsWith('pd1.'))).toEqual([true, true]);
      expect((await openedEventsOf(cmd.id))[0]).toMatchObject({
        type: 'recipient.registered',
        subject: 'U123456789',
        aggregateId: cmd.aggregateId,
        aggregateVersion: 1,
        causationId: cmd.id,
        payload: { channel, address, userID: 'U123456789', userName: 'John Doe', properties: { language: 'en', region: 'NL' }, status: 'active', verification: 'none' },
      });
      expect(await rows(cmd.aggregateId)).toEqual([
        expect.objectContaining({ channel, address, user_id: 'U123456789', status: 'active', verification: 'none', token_hash: null, version: 1 }),
      ]);
    }
  });

  it('the same email re-posted with another case and spaces updates the same contact: not created, same recipient id', async () => {
    const first = register('email', { address: 'repost@example.com', userID: 'U-repost', language: 'en' });
    await send(first);
    expect(await outcomeOf(first.id)).toMatchObject({ payload: { created: true } });

    const again = register('email', { address: '  repost@EXAMPLE.Com ', userID: 'U-repost', language: 'nl' });
    expect(again.aggregateId).toBe(first.aggregateId);
    await send(again);

    expect(await outcomeOf(again.id)).toMatchObject({ type: 'command.accepted', aggregateId: first.aggregateId, aggregateVersion: 2, payload: { created: false } });
    await waitFor(() => eventsOf(again.id).length === 1, { description: 'recipient.updated' });
    expect(eventsOf(again.id)[0]).toMatchObject({ type: 'recipient.updated', payload: { properties: { language: 'nl' } } });
    expect(await rows(first.aggregateId)).toEqual([expect.objectContaining({ address: 'repost@example.com', version: 2 })]);
  });

  it('two registrations of one new address, both published before either is handled, end in one contact', async () => {
    const one = register('sms', { address: '+44 7911 123456', userID: 'U-race' });
    const two = register('sms', { address: '07911 123456', region: 'GB', userID: 'U-race' });
    expect(two.aggregateId).toBe(one.aggregateId);
    await send(one, two);

    const answers = [await outcomeOf(one.id), await outcomeOf(two.id)];
    expect(answers.map((o) => [o.type, o.payload.created])).toEqual([
      ['command.accepted', true],
      ['command.accepted', false],
    ]);
    const stored = await rows(one.aggregateId);
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ address: '+447911123456', user_id: 'U-race' });
    const [{ count }] = await app
      .get(DataSource)
      .query("SELECT count(*)::int AS count FROM recipient.recipients WHERE application = $1 AND channel = 'sms' AND address = '+447911123456'", [APP]);
    expect(count).toBe(1);
  });

  it('two instances racing on one new address in the database: the loser fails retryably without quoting the address, and its retry updates the one contact', async () => {
    const dataSource = app.get(DataSource);
    const useCase = app.get(RegisterRecipientUseCase);
    const one = register('email', { address: 'race@example.org', userID: 'U-1' });
    const two = register('email', { address: ' race@EXAMPLE.org', userID: 'U-2' });
    const winner = dataSource.createQueryRunner();
    const loser = dataSource.createQueryRunner();
    try {
      await winner.startTransaction();
      expect(await useCase.execute(winner.manager, one)).toMatchObject({ kind: 'accepted', created: true });
      await loser.startTransaction();
      const losing = useCase.execute(loser.manager, two).then(
        () => undefined,
        (error: Error & { code?: string }) => error,
      );
      // The loser saw no row and now waits on the winner's uncommitted insert.
      await waitFor(
        async () => (await dataSource.query("SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND wait_event = 'transactionid'")).length > 0,
        { description: 'the second insert waiting for the first' },
      );
      await winner.commitTransaction();
      const error = await losing;
      await loser.rollbackTransaction();

      expect(error?.code).toBe('40001');
      expect(error && isTransientError(error)).toBe(true);
      expect(JSON.stringify({ ...error, message: error?.message })).not.toContain('race@example.org');
    } finally {
      await Promise.all([winner.release(), loser.release()]);
    }

    // The consumer retries a transient failure: the retry finds the winner's row and updates it.
    await send(two);
    expect(await outcomeOf(two.id)).toMatchObject({ type: 'command.accepted', aggregateVersion: 2, payload: { created: false } });
    expect(await rows(one.aggregateId)).toEqual([expect.objectContaining({ user_id: 'U-2', version: 2 })]);
  });

  it('verify: pending until confirmed with the token of recipient.verification-requested, once; the same token again is refused', async () => {
    const registration = register('email', { address: 'verify.me+promo@example.com', userID: 'U-verify', verify: true });
    await send(registration);

    expect(await outcomeOf(registration.id)).toMatchObject({ type: 'command.accepted', aggregateVersion: 2, payload: { created: true } });
    await waitFor(() => eventsOf(registration.id).length === 2, { description: 'registered and verification-requested' });
    const [registered, requested] = (await openedEventsOf(registration.id)) as Envelope<string, { token: string; expiresAt: string; status: string }>[];
    expect(registered).toMatchObject({ type: 'recipient.registered', payload: { status: 'inactive', verification: 'pending' } });
    expect(requested).toMatchObject({ type: 'recipient.verification-requested', aggregateVersion: 2, payload: { channel: 'email', address: 'verify.me+promo@example.com' } });
    const { token, expiresAt } = requested.payload;
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const ttl = Date.parse(expiresAt) - Date.parse(requested.time);
    expect(ttl).toBeGreaterThan(1439 * 60_000);
    expect(ttl).toBeLessThanOrEqual(1440 * 60_000);
    const [pending] = await rows(registration.aggregateId);
    expect(pending).toMatchObject({ status: 'inactive', verification: 'pending' });
    expect(pending.token_hash).toEqual(expect.any(String));
    expect(pending.token_hash).not.toContain(token);

    const wrong = command(CONFIRM_RECIPIENT, registration.aggregateId, { token: 'A'.repeat(43) });
    const confirm = command(CONFIRM_RECIPIENT, registration.aggregateId, { token });
    const replay = command(CONFIRM_RECIPIENT, registration.aggregateId, { token });
    await send(wrong, confirm, replay);

    expect(await outcomeOf(wrong.id)).toMatchObject({ type: 'command.rejected', payload: { status: 400, code: 'INVALID_TOKEN' } });
    expect(await outcomeOf(confirm.id)).toMatchObject({ type: 'command.accepted', aggregateVersion: 3 });
    expect(await outcomeOf(replay.id)).toMatchObject({ type: 'command.rejected', payload: { status: 400, code: 'INVALID_TOKEN', fields: [{ field: 'token' }] } });
    await waitFor(() => eventsOf(confirm.id).length === 1, { description: 'recipient.verified' });
    expect((await openedEventsOf(confirm.id))[0]).toMatchObject({ type: 'recipient.verified', aggregateVersion: 3, subject: 'U-verify', payload: { userID: 'U-verify' } });
    expect(eventsOf(replay.id)).toEqual([]);
    expect(await rows(registration.aggregateId)).toEqual([expect.objectContaining({ status: 'active', verification: 'verified', token_hash: null, version: 3 })]);
  });

  it('registering a known address for another user moves the contact: recipient.user-assigned naming the previous user', async () => {
    const first = register('sms', { address: '+49 151 23456789', userID: 'U-old', userName: 'Old' });
    await send(first);
    await outcomeOf(first.id);
    const moved = register('sms', { address: '0049 151 23456789', userID: 'U-new', userName: 'New' });
    await send(moved);

    expect(await outcomeOf(moved.id)).toMatchObject({ type: 'command.accepted', aggregateVersion: 2, payload: { created: false } });
    await waitFor(() => eventsOf(moved.id).length === 1, { description: 'recipient.user-assigned' });
    expect((await openedEventsOf(moved.id))[0]).toMatchObject({
      type: 'recipient.user-assigned',
      subject: 'U-new',
      payload: { userID: 'U-new', userName: 'New', previousUserID: 'U-old' },
    });
    expect(await rows(first.aggregateId)).toEqual([expect.objectContaining({ user_id: 'U-new', user_name: 'New', version: 2 })]);
  });

  it('a command delivered twice changes state once and answers one outcome', async () => {
    const created = register('email', { address: 'twice@example.com' });
    const tag = command(ADD_RECIPIENT_TAGS, created.aggregateId, { tags: ['news'] });
    const later = command(ADD_RECIPIENT_TAGS, created.aggregateId, { tags: ['sale'] });
    await send(created, tag);
    await send(later, tag);
    const marker = command(ADD_RECIPIENT_TAGS, created.aggregateId, { tags: ['vip'] });
    await send(marker);

    await outcomeOf(marker.id);
    expect(outcomesOf(tag.id)).toHaveLength(1);
    expect(eventsOf(tag.id)).toHaveLength(1);
    expect(await rows(created.aggregateId)).toEqual([expect.objectContaining({ tags: ['news', 'sale', 'vip'], version: 4 })]);
  });

  it("with API-level user registration, an SDK command may not set a userID (403), and user data must fit the application's fields (400)", async () => {
    const settings: ApplicationSettings = { userRegistration: 'api', userDataFields: [{ key: 'firstName', label: 'First name', type: 'text' }] };
    const created = newEnvelope({ type: APPLICATION_CREATED, application: API_APP, aggregateId: API_APP, aggregateVersion: 1, payload: { name: 'API app', settings } });
    await sendRecords(recordFor(Topics.applicationEvents, created));
    await waitFor(
      async () => (await app.get(DataSource).query('SELECT 1 FROM recipient.application_settings WHERE application = $1', [API_APP])).length === 1,
      { description: "the service's copy of the settings" },
    );

    const sdk = register('email', { address: 'api@example.com', userID: 'U-api', credential: 'sdk' }, API_APP);
    const badData = register('email', { address: 'api@example.com', userID: 'U-api', credential: 'master', userData: { shoeSize: 44 } }, API_APP);
    const master = register('email', { address: 'api@example.com', userID: 'U-api', credential: 'master' }, API_APP);
    await send(sdk, badData, master);

    expect(await outcomeOf(sdk.id)).toMatchObject({ type: 'command.rejected', payload: { status: 403, code: 'USER_REGISTRATION_RESTRICTED' } });
    expect(await outcomeOf(badData.id)).toMatchObject({ type: 'command.rejected', payload: { status: 400, code: 'VALIDATION_FAILED', fields: [{ field: 'userData.shoeSize' }] } });
    expect(await outcomeOf(master.id)).toMatchObject({ type: 'command.accepted', aggregateVersion: 1, payload: { created: true } });
    expect(await rows(master.aggregateId, API_APP)).toEqual([expect.objectContaining({ user_id: 'U-api', version: 1 })]);
    // Tenant isolation: the same address in another application is another contact.
    expect(await rows(master.aggregateId)).toEqual([]);
  });

  it("user data sent with a contact of a user is forwarded to the user's profile through the outbox, answering for the command; the contact is written without it (ADR 0015)", async () => {
    const toProfiles = await new TopicRecorder(harness.kafka, Topics.profileCommands).start();
    try {
      const withData = register('email', { address: 'forward@example.com', userID: 'U-forward', credential: 'master', userData: { firstName: 'Ann' } }, API_APP);
      await send(withData);

      await waitFor(() => toProfiles.values<Envelope>().some((forwarded) => forwarded.id === withData.id), { description: 'the forwarded command' });
      const [forwarded] = toProfiles.values<Envelope>().filter((message) => message.id === withData.id);
      expect(forwarded).toMatchObject({
        type: 'user.override-user-data',
        application: API_APP,
        aggregateId: 'U-forward',
        correlationId: withData.correlationId,
        forwardedFrom: { commandType: REGISTER_RECIPIENT, created: true, changed: { aggregateType: 'recipient', aggregateId: withData.aggregateId, version: 1 } },
        payload: { userData: { firstName: 'Ann' }, credential: 'master' },
      });
      expect(toProfiles.messages.find((message) => JSON.parse(message.value ?? '{}').id === withData.id)?.key).toBe(`${API_APP}:U-forward`);
      await waitFor(() => eventsOf(withData.id).length === 1, { description: 'recipient.registered' });
      expect((await openedEventsOf(withData.id))[0].payload).toMatchObject({ userID: 'U-forward', userData: {} });
      // The profile-service answers, not this one.
      expect(outcomesOf(withData.id)).toEqual([]);
    } finally {
      await toProfiles.stop();
    }
  });

  it('an unknown region is dead-lettered with a rejected outcome naming region; an unknown contact is 404; the partition moves on', async () => {
    const badRegion = register('email', { address: 'region@example.com', region: 'NL' });
    badRegion.payload.region = 'XX';
    const unknown = command(ADD_RECIPIENT_TAGS, recipientId('email', 'nobody@example.com'), { tags: ['x'] });
    const good = register('email', { address: 'region@example.com', region: 'NL' });
    await send(badRegion, unknown, good);

    expect(await outcomeOf(badRegion.id)).toMatchObject({
      type: 'command.rejected',
      payload: { status: 400, code: 'VALIDATION_FAILED', fields: [{ field: 'region' }] },
    });
    expect(await outcomeOf(unknown.id)).toMatchObject({ type: 'command.rejected', payload: { status: 404, code: 'RECIPIENT_NOT_FOUND' } });
    expect(await outcomeOf(good.id)).toMatchObject({ type: 'command.accepted', payload: { created: true } });
    await deadLetters.waitForCount(1);
    expect(deadLetters.messages.map((m) => m.headers[DLQ_HEADERS.reason])).toEqual(['invalid-payload']);
  });

  it('no address the tests sent ever reached a log line or the console', () => {
    expect(logLines.length).toBeGreaterThan(0);
    const lines = [...logLines, ...consoleLines];
    const leaked = [...addresses].filter((address) => lines.some((line) => line.includes(address)));
    expect(leaked).toEqual([]);
  });
});
