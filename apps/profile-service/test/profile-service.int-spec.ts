import { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Envelope, Topics, UPDATE_USER, messageKey, newEnvelope } from '@omni/contracts';
import { DLQ_HEADERS, MessagePublisher, OutgoingRecord, recordFor } from '@omni/messaging';
import { loadConfig } from '@omni/config';
import { EventOpener } from '@omni/personal-data';
import { createLogger } from '@omni/observability';
import { CommandServiceHarness, TopicRecorder, startCommandService, waitFor } from '@omni/testing';
import { ProfileServiceConfig } from '../src/config';
import { ProfileServiceModule } from '../src/profile-service.module';

const logger = createLogger('profile-service-test', 'silent');

describe('profile-service on the real broker and database', () => {
  let app: INestApplication;
  let publisher: MessagePublisher;
  let outcomes: TopicRecorder;
  let events: TopicRecorder;
  let deadLetters: TopicRecorder;

  const APP = 'app-profile-int';

  function updateUser(userId: string, userName: unknown, application = APP): Envelope {
    return newEnvelope({ type: UPDATE_USER, application, aggregateId: userId, aggregateVersion: null, payload: { userName } });
  }

  const send = (...records: OutgoingRecord[]) => publisher.publish(records);
  const outcomeOf = (commandId: string) => outcomes.values<Envelope<string, { commandId: string }>>().filter((o) => o.payload.commandId === commandId);
  const eventsOf = (commandId: string) => events.values<Envelope>().filter((event) => event.correlationId === commandId);
  const users = () => app.get(DataSource).query('SELECT user_id, user_name, version FROM profile.users WHERE application = $1 ORDER BY user_id', [APP]);

  let harness: CommandServiceHarness;

  beforeAll(async () => {
    harness = await startCommandService({
      name: 'profile-service',
      commandsTopic: Topics.profileCommands,
      eventsTopic: Topics.profileEvents,
      outcomesTopic: Topics.commandOutcomes,
      logger,
      module: (env) => ProfileServiceModule.register(loadConfig(ProfileServiceConfig, env), logger),
    });
    ({ app, publisher, outcomes, events, deadLetters } = harness);
  });

  afterAll(async () => {
    await harness?.stop();
  });

  it('an update-user command creates the user and emits user.registered with an accepted outcome', async () => {
    const command = updateUser('U-new', 'John Doe');
    await send(recordFor(Topics.profileCommands, command));

    await waitFor(() => outcomeOf(command.id).length === 1, { description: 'the outcome' });
    const [outcome] = outcomeOf(command.id);
    expect(outcome).toMatchObject({ type: 'command.accepted', aggregateId: 'U-new', aggregateVersion: 1, correlationId: command.id });
    expect(outcome.payload).toMatchObject({ commandType: UPDATE_USER, aggregateType: 'user', created: true });
    await waitFor(() => eventsOf(command.id).length === 1, { description: 'the event' });
    const [event] = eventsOf(command.id);
    expect(event).toMatchObject({ type: 'user.registered', aggregateVersion: 1, causationId: command.id });
    // On the wire the user is a pseudonym (the key id) and the name is sealed; opened, it is the user's.
    expect(JSON.stringify(event)).not.toMatch(/U-new|John Doe/);
    const opened = await new EventOpener().open(app.get(DataSource), event as unknown as Record<string, unknown>);
    expect(opened).toMatchObject({ aggregateId: 'U-new', subject: 'U-new', payload: { userName: 'John Doe' } });
    expect(await users()).toContainEqual({ user_id: 'U-new', user_name: 'John Doe', version: 1 });
  });

  it('a command delivered twice changes state once and answers one outcome', async () => {
    const create = updateUser('U-twice', 'First');
    const rename = updateUser('U-twice', 'Second');
    // The rename is delivered twice, the second time after a later command: a replay must not undo it.
    const later = updateUser('U-twice', 'Third');
    await send(recordFor(Topics.profileCommands, create), recordFor(Topics.profileCommands, rename));
    await send(recordFor(Topics.profileCommands, later), recordFor(Topics.profileCommands, rename));
    const marker = updateUser('U-twice', 'Fourth');
    await send(recordFor(Topics.profileCommands, marker));

    await waitFor(() => outcomeOf(marker.id).length === 1, { description: 'the marker outcome (after the duplicate)' });
    expect(outcomeOf(rename.id)).toHaveLength(1);
    expect(eventsOf(rename.id)).toHaveLength(1);
    expect((await users()).find((user: { user_id: string }) => user.user_id === 'U-twice')).toEqual({ user_id: 'U-twice', user_name: 'Fourth', version: 4 });
  });

  it('messages that cannot be processed go to the dead-letter topic with their reason, and the partition moves on', async () => {
    const key = messageKey(APP, 'U-poison');
    const invalid = updateUser('U-poison', 42);
    const unknownType = { ...updateUser('U-poison', 'x'), type: 'user.explode' };
    const wrongKey = updateUser('U-other', 'x');
    await send(
      { topic: Topics.profileCommands, key, value: '{ not json' },
      { topic: Topics.profileCommands, key, value: JSON.stringify(unknownType) },
      { topic: Topics.profileCommands, key, value: JSON.stringify(invalid) },
      { topic: Topics.profileCommands, key, value: JSON.stringify(wrongKey) },
      { topic: Topics.profileCommands, key, value: JSON.stringify({ ...updateUser('U-poison', 'x'), schemaVersion: 99 }) },
    );
    const good = updateUser('U-poison', 'Still processed');
    await send(recordFor(Topics.profileCommands, good));

    await waitFor(() => outcomeOf(good.id).length === 1, { description: 'the good command after the poison ones' });
    await deadLetters.waitForCount(5);
    const reasons = deadLetters.messages.map((message) => message.headers[DLQ_HEADERS.reason]);
    expect(reasons).toEqual(['malformed-json', 'unknown-type', 'invalid-payload', 'invalid-envelope', 'unsupported-version']);
    for (const message of deadLetters.messages) {
      expect(message.key).toBe(key);
      expect(message.headers[DLQ_HEADERS.sourceTopic]).toBe(Topics.profileCommands);
      expect(message.headers[DLQ_HEADERS.detail]).toBeTruthy();
    }
    // The client that sent the invalid payload is told why (the gateway answers 400).
    await waitFor(() => outcomeOf(invalid.id).length === 1, { description: 'the rejected outcome' });
    expect(outcomeOf(invalid.id)[0]).toMatchObject({
      type: 'command.rejected',
      payload: { status: 400, code: 'VALIDATION_FAILED', fields: expect.arrayContaining([{ field: 'userName', message: 'userName must be a string' }]) },
    });
    expect((await users()).find((user: { user_id: string }) => user.user_id === 'U-poison')).toEqual({ user_id: 'U-poison', user_name: 'Still processed', version: 1 });
  });
});
