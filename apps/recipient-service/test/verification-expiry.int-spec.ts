import { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  CONFIRM_RECIPIENT,
  CommandType,
  Envelope,
  Message,
  RECIPIENT_VERIFICATION_REQUESTED,
  REGISTER_RECIPIENT,
  RecipientChannel,
  Topics,
  newEnvelope,
  normaliseRecipientAddress,
  recipientId,
} from '@omni/contracts';
import { MessagePublisher, recordFor } from '@omni/messaging';
import { EventOpener } from '@omni/personal-data';
import { loadConfig } from '@omni/config';
import { createLogger } from '@omni/observability';
import { CommandServiceHarness, TopicRecorder, startCommandService, waitFor } from '@omni/testing';
import { RecipientServiceConfig } from '../src/config';
import { RecipientServiceModule } from '../src/recipient-service.module';

const logger = createLogger('recipient-service-verification-expiry-test', 'silent');

/** The shortest verification TTL the configuration allows. */
const TTL_MINUTES = 1;

type Outcome = Envelope<string, { commandId: string; status?: number; code?: string; fields?: { field: string }[] }>;

/**
 * Verification tokens expire: the service runs with the shortest TTL it can be configured with
 * (RECIPIENT_VERIFICATION_TTL_MINUTES=1). Rather than sleep a minute, a test lets that minute pass
 * where the service keeps it: it moves the stored expiry of the pending token (token_expires_at)
 * into the past, as it will stand once the minute is over; the service's own clock does the rest.
 */
describe('recipient-service: an expired verification token (real broker and database)', () => {
  let app: INestApplication;
  let dataSource: DataSource;
  let publisher: MessagePublisher;
  let outcomes: TopicRecorder;
  let events: TopicRecorder;
  let harness: CommandServiceHarness;

  const APP = 'app-recipient-expiry';

  /** What the gateway does for POST /email and POST /sms with `"verify": true`. */
  function registerPending(channel: RecipientChannel, address: string, region?: string): Message<typeof REGISTER_RECIPIENT> {
    const normalisedAddress = normaliseRecipientAddress(channel, address, region);
    if (!normalisedAddress) throw new Error('the test sent an invalid address');
    return newEnvelope({
      type: REGISTER_RECIPIENT,
      application: APP,
      aggregateId: recipientId(channel, normalisedAddress),
      aggregateVersion: null,
      payload: { channel, address, normalisedAddress, region, userID: 'U-expiry', verify: true, credential: 'master' },
    });
  }
  function command<T extends CommandType>(type: T, aggregateId: string, payload: Message<T>['payload']): Message<T> {
    return newEnvelope({ type, application: APP, aggregateId, aggregateVersion: null, payload });
  }

  const outcomesOf = (commandId: string) => outcomes.values<Outcome>().filter((o) => o.payload.commandId === commandId);
  const eventsOf = (commandId: string) => events.values<Envelope>().filter((event) => event.correlationId === commandId);
  async function handled(c: Envelope): Promise<Outcome> {
    await publisher.publish([recordFor(Topics.recipientCommands, c)]);
    await waitFor(() => outcomesOf(c.id).length > 0, { description: `the outcome of ${c.type}` });
    return outcomesOf(c.id)[0];
  }
  const row = async (id: string) =>
    (
      await dataSource.query(
        'SELECT status, verification, token_hash, token_expires_at, version FROM recipient.recipients WHERE application = $1 AND recipient_id = $2',
        [APP, id],
      )
    )[0] as { status: string; verification: string; token_hash: string | null; token_expires_at: Date | null; version: number };

  /** Register a pending contact; the token and expiry its recipient.verification-requested carries (opened). */
  async function pendingContact(channel: RecipientChannel, address: string, region?: string) {
    const registration = registerPending(channel, address, region);
    expect(await handled(registration)).toMatchObject({ type: 'command.accepted' });
    await waitFor(() => eventsOf(registration.id).some((event) => event.type === RECIPIENT_VERIFICATION_REQUESTED), { description: 'recipient.verification-requested' });
    const sealed = eventsOf(registration.id).find((event) => event.type === RECIPIENT_VERIFICATION_REQUESTED) as Envelope;
    const requested = (await new EventOpener().open(dataSource, { ...sealed })) as unknown as Envelope<string, { token: string; expiresAt: string }>;
    return { id: registration.aggregateId, requested };
  }

  beforeAll(async () => {
    harness = await startCommandService({
      name: 'recipient-service',
      commandsTopic: Topics.recipientCommands,
      eventsTopic: Topics.recipientEvents,
      outcomesTopic: Topics.commandOutcomes,
      logger,
      module: (env) =>
        RecipientServiceModule.register(loadConfig(RecipientServiceConfig, { ...env, RECIPIENT_VERIFICATION_TTL_MINUTES: String(TTL_MINUTES) }), logger),
    });
    ({ app, publisher, outcomes, events } = harness);
    dataSource = app.get(DataSource);
  });

  afterAll(async () => {
    await harness?.stop();
  });

  it('a token past its expiry is refused with INVALID_TOKEN and the contact stays pending; the same token within the TTL confirms', async () => {
    const expired = await pendingContact('sms', '06 12345678', 'NL');
    const fresh = await pendingContact('email', 'expiry@example.com');

    // The configured TTL is what the token is issued with, and what the service stores.
    for (const { id, requested } of [expired, fresh]) {
      expect(Date.parse(requested.payload.expiresAt) - Date.parse(requested.time)).toBeGreaterThan(TTL_MINUTES * 60_000 - 5_000);
      expect(Date.parse(requested.payload.expiresAt) - Date.parse(requested.time)).toBeLessThanOrEqual(TTL_MINUTES * 60_000);
      expect((await row(id)).token_expires_at?.toISOString()).toBe(new Date(requested.payload.expiresAt).toISOString());
    }

    // The minute passes for the first contact only.
    await dataSource.query("UPDATE recipient.recipients SET token_expires_at = now() - interval '1 second' WHERE application = $1 AND recipient_id = $2", [
      APP,
      expired.id,
    ]);
    const before = await row(expired.id);
    expect(before).toMatchObject({ status: 'inactive', verification: 'pending', token_hash: expect.any(String) });

    const late = command(CONFIRM_RECIPIENT, expired.id, { token: expired.requested.payload.token });
    expect(await handled(late)).toMatchObject({ type: 'command.rejected', payload: { status: 400, code: 'INVALID_TOKEN', fields: [{ field: 'token' }] } });
    expect(await row(expired.id)).toEqual(before);

    // The control: the other contact's token, still within its minute, confirms it.
    const inTime = command(CONFIRM_RECIPIENT, fresh.id, { token: fresh.requested.payload.token });
    expect(await handled(inTime)).toMatchObject({ type: 'command.accepted' });
    expect(await row(fresh.id)).toMatchObject({ status: 'active', verification: 'verified', token_hash: null, token_expires_at: null });

    // Events are published by the outbox relay: the verified one is there, and none for the refused confirm.
    await waitFor(() => eventsOf(inTime.id).length === 1, { description: 'recipient.verified' });
    expect(eventsOf(late.id)).toEqual([]);
  });
});
