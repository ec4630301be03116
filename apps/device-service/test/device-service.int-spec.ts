import { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  APPLICATION_CREATED,
  APPLICATION_SETTINGS_CHANGED,
  ASSIGN_DEVICE_USER,
  ADD_DEVICE_TAGS,
  ApplicationSettings,
  CommandType,
  Envelope,
  Message,
  OVERRIDE_DEVICE_USER_DATA,
  REGISTER_DEVICE,
  Topics,
  isSealed,
  newEnvelope,
} from '@omni/contracts';
import { DLQ_HEADERS, MessagePublisher, recordFor } from '@omni/messaging';
import { EventOpener } from '@omni/personal-data';
import { loadConfig } from '@omni/config';
import { createLogger } from '@omni/observability';
import { CommandServiceHarness, TopicRecorder, startCommandService, waitFor } from '@omni/testing';
import { DeviceServiceConfig } from '../src/config';
import { DeviceServiceModule } from '../src/device-service.module';

const logger = createLogger('device-service-test', 'silent');

describe('device-service on the real broker and database', () => {
  let app: INestApplication;
  let publisher: MessagePublisher;
  let outcomes: TopicRecorder;
  let events: TopicRecorder;
  let deadLetters: TopicRecorder;

  const APP = 'app-device-int';
  const API_APP = 'app-device-int-api';
  const SETTINGS: ApplicationSettings = {
    userRegistration: 'sdk',
    userDataFields: [
      { key: 'firstName', label: 'First name', type: 'text' },
      { key: 'birthdate', label: 'Birthdate', type: 'date' },
    ],
  };

  type Outcome = Envelope<string, { commandId: string; created?: boolean; status?: number; code?: string; message?: string; fields?: unknown }>;

  function command<T extends CommandType>(type: T, deviceId: string, payload: Message<T>['payload'], application = APP): Message<T> {
    return newEnvelope({ type, application, aggregateId: deviceId, aggregateVersion: null, payload });
  }
  const register = (deviceId: string, payload: Partial<Message<typeof REGISTER_DEVICE>['payload']> = {}, application = APP) =>
    command(REGISTER_DEVICE, deviceId, { platform: 'Android', transport: 'GCM', language: 'en', ...payload }, application);

  const send = (...commands: Envelope[]) => publisher.publish(commands.map((c) => recordFor(Topics.deviceCommands, c)));
  const outcomesOf = (commandId: string) => outcomes.values<Outcome>().filter((o) => o.payload.commandId === commandId);
  const eventsOf = (commandId: string) => events.values<Envelope>().filter((event) => event.correlationId === commandId);
  /** The same events as a reader holding the keys sees them: personal data sealed for the device's user, opened. */
  const openedEventsOf = (commandId: string): Promise<Envelope[]> =>
    Promise.all(
      eventsOf(commandId).map(async (event) => {
        const opened = await new EventOpener().open(app.get(DataSource), { ...event });
        if (!opened) throw new Error(`${event.type} did not open`);
        return opened as unknown as Envelope;
      }),
    );

  /** Send commands and wait for the outcome of each; returns the outcomes in order. */
  async function handled(...commands: Envelope[]): Promise<Outcome[]> {
    await send(...commands);
    for (const c of commands) await waitFor(() => outcomesOf(c.id).length > 0, { description: `the outcome of ${c.type} on ${c.aggregateId}` });
    return commands.map((c) => outcomesOf(c.id)[0]);
  }

  const device = async (deviceId: string, application = APP) =>
    (
      await app
        .get(DataSource)
        .query(
          'SELECT device_id, user_id, user_name, platform, transport, properties, tags, user_data, status, replaced_by, version FROM device.devices WHERE application = $1 AND device_id = $2',
          [application, deviceId],
        )
    )[0];

  /** Publish an application event as the gateway does, and wait until the service applied it. */
  async function applySettings(application: string, version: number, settings: ApplicationSettings): Promise<void> {
    const event =
      version === 1
        ? newEnvelope({ type: APPLICATION_CREATED, application, aggregateId: application, aggregateVersion: 1, payload: { name: application, settings } })
        : newEnvelope({ type: APPLICATION_SETTINGS_CHANGED, application, aggregateId: application, aggregateVersion: version, payload: { settings } });
    await publisher.publish([recordFor(Topics.applicationEvents, event)]);
    await waitFor(
      async () => {
        const rows = await app.get(DataSource).query('SELECT version FROM device.application_settings WHERE application = $1', [application]);
        return rows[0]?.version === version;
      },
      { description: `settings version ${version} of ${application}` },
    );
  }

  let harness: CommandServiceHarness;

  beforeAll(async () => {
    harness = await startCommandService({
      name: 'device-service',
      commandsTopic: Topics.deviceCommands,
      eventsTopic: Topics.deviceEvents,
      outcomesTopic: Topics.commandOutcomes,
      logger,
      module: (env) => DeviceServiceModule.register(loadConfig(DeviceServiceConfig, env), logger),
    });
    ({ app, publisher, outcomes, events, deadLetters } = harness);
    await applySettings(APP, 1, SETTINGS);
  });

  afterAll(async () => {
    await harness?.stop();
  });

  it('a device.register for a new deviceID emits device.registered and an accepted outcome (created)', async () => {
    const cmd = register('D-new', { osVersion: '14', timeZoneOffset: 2 });

    const [outcome] = await handled(cmd);

    expect(outcome).toMatchObject({ type: 'command.accepted', aggregateId: 'D-new', aggregateVersion: 1, correlationId: cmd.id });
    expect(outcome.payload).toMatchObject({ commandType: REGISTER_DEVICE, aggregateType: 'device', created: true });
    await waitFor(() => eventsOf(cmd.id).length === 1, { description: 'the device.registered event' });
    expect(eventsOf(cmd.id)[0]).toMatchObject({
      type: 'device.registered',
      application: APP,
      aggregateId: 'D-new',
      aggregateVersion: 1,
      causationId: cmd.id,
      payload: { platform: 'Android', transport: 'GCM', properties: { language: 'en', osVersion: '14', timeZoneOffset: 2 }, userID: null, tags: [] },
    });
    expect(await device('D-new')).toMatchObject({ platform: 'Android', transport: 'GCM', status: 'active', version: 1, tags: [], user_data: {} });
  });

  it('a device assigned to user A and then to user B moves: device.user-assigned names previousUserID A', async () => {
    const toA = command(ASSIGN_DEVICE_USER, 'D-move', { userID: 'U-A', userName: 'Ada', credential: 'master' });
    const toB = command(ASSIGN_DEVICE_USER, 'D-move', { userID: 'U-B', userName: 'Bob', credential: 'master' });

    const [, a, b] = await handled(register('D-move'), toA, toB);

    expect([a.type, a.aggregateVersion, b.type, b.aggregateVersion]).toEqual(['command.accepted', 2, 'command.accepted', 3]);
    await waitFor(() => eventsOf(toB.id).length === 1, { description: 'the second device.user-assigned' });
    // On the wire the user's data and the subject are sealed with the user's key; opened, they read as sent.
    const [rawToB] = eventsOf(toB.id) as Envelope<string, Record<string, unknown>>[];
    expect([rawToB.subject, rawToB.payload.userID, rawToB.payload.userName, rawToB.payload.previousUserID, rawToB.payload.state].every(isSealed)).toBe(true);
    // An owner change carries the device's whole state, sealed for its new user (ADR 0009).
    const state = { platform: 'Android', transport: 'GCM', properties: { language: 'en' }, tags: [], userData: {}, status: 'active' };
    expect((await openedEventsOf(toA.id)).map((e) => [e.subject, e.payload])).toEqual([['U-A', { userID: 'U-A', userName: 'Ada', previousUserID: null, state }]]);
    expect((await openedEventsOf(toB.id))[0]).toMatchObject({
      type: 'device.user-assigned',
      aggregateVersion: 3,
      subject: 'U-B',
      payload: { userID: 'U-B', userName: 'Bob', previousUserID: 'U-A' },
    });
    expect(await device('D-move')).toMatchObject({ user_id: 'U-B', user_name: 'Bob', version: 3 });
  });

  it('when user registration is restricted to the API, an SDK assign is refused with 403 and a master one is accepted', async () => {
    await applySettings(API_APP, 1, { userRegistration: 'sdk', userDataFields: [] });
    await applySettings(API_APP, 2, { userRegistration: 'api', userDataFields: [] });
    const sdk = command(ASSIGN_DEVICE_USER, 'D-api', { userID: 'U-1', credential: 'sdk' }, API_APP);
    const master = command(ASSIGN_DEVICE_USER, 'D-api', { userID: 'U-1', credential: 'master' }, API_APP);

    const [registered, refused, accepted] = await handled(register('D-api', {}, API_APP), sdk, master);

    expect(registered.type).toBe('command.accepted');
    expect(refused).toMatchObject({
      type: 'command.rejected',
      aggregateVersion: null,
      payload: { status: 403, code: 'USER_REGISTRATION_RESTRICTED', message: 'user registration is restricted to the API' },
    });
    expect(eventsOf(sdk.id)).toEqual([]);
    expect(accepted).toMatchObject({ type: 'command.accepted', aggregateVersion: 2 });
    expect(await device('D-api', API_APP)).toMatchObject({ user_id: 'U-1', version: 2 });
  });

  it('a command for an unknown device is refused with 404 DEVICE_NOT_FOUND and creates nothing', async () => {
    const tag = command(ADD_DEVICE_TAGS, 'D-unknown', { tags: ['x'] });

    const [outcome] = await handled(tag);

    expect(outcome).toMatchObject({ type: 'command.rejected', payload: { status: 404, code: 'DEVICE_NOT_FOUND', message: 'device not found' } });
    expect(await device('D-unknown')).toBeUndefined();
  });

  it('a command delivered twice changes state once and answers one outcome', async () => {
    const create = register('D-twice');
    const tagA = command(ADD_DEVICE_TAGS, 'D-twice', { tags: ['a'] });
    const tagB = command(ADD_DEVICE_TAGS, 'D-twice', { tags: ['b'] });
    // tagA is delivered again after a later command: a replay must neither apply twice nor reorder.
    await send(create, tagA, tagB, tagA);
    const marker = command(ADD_DEVICE_TAGS, 'D-twice', { tags: ['c'] });
    await handled(marker);

    expect(outcomesOf(tagA.id)).toHaveLength(1);
    await waitFor(() => eventsOf(marker.id).length === 1, { description: 'the marker event' });
    expect(eventsOf(tagA.id)).toHaveLength(1);
    expect(await device('D-twice')).toMatchObject({ tags: ['a', 'b', 'c'], version: 4 });
  });

  it('a registration with an oldDeviceID carries the old device user, tags and data over and replaces the old one', async () => {
    await handled(
      register('D-old'),
      command(ASSIGN_DEVICE_USER, 'D-old', { userID: 'U-old', userName: 'Olga', credential: 'master' }),
      command(ADD_DEVICE_TAGS, 'D-old', { tags: ['vip', 'nl'] }),
    );
    await handled(register('D-anon'), command(OVERRIDE_DEVICE_USER_DATA, 'D-anon', { userData: { firstName: 'Anna', birthdate: '1990-01-31' } }));
    const move = register('D-token-2', { oldDeviceID: 'D-old', transport: 'GCM' });
    const moveAnon = register('D-anon-2', { oldDeviceID: 'D-anon' });

    const [moved, movedAnon] = await handled(move, moveAnon);

    expect(moved).toMatchObject({ type: 'command.accepted', aggregateId: 'D-token-2', aggregateVersion: 1, payload: { created: true } });
    expect(movedAnon).toMatchObject({ type: 'command.accepted', aggregateVersion: 1 });
    await waitFor(() => eventsOf(move.id).length === 2 && eventsOf(moveAnon.id).length === 2, { description: 'the move events' });
    const [moveEvents, moveAnonEvents] = [await openedEventsOf(move.id), await openedEventsOf(moveAnon.id)];
    expect(moveEvents.find((e) => e.type === 'device.replaced')).toMatchObject({
      aggregateId: 'D-old',
      aggregateVersion: 4,
      payload: { replacedBy: 'D-token-2', previousUserID: 'U-old' },
    });
    expect(moveEvents.find((e) => e.type === 'device.registered')).toMatchObject({
      aggregateId: 'D-token-2',
      payload: { userID: 'U-old', userName: 'Olga', tags: ['vip', 'nl'], userData: {}, oldDeviceID: 'D-old' },
    });
    expect(moveAnonEvents.find((e) => e.type === 'device.registered')?.payload).toMatchObject({
      userID: null,
      userData: { firstName: 'Anna', birthdate: '1990-01-31' },
      oldDeviceID: 'D-anon',
    });
    expect(await device('D-token-2')).toMatchObject({ user_id: 'U-old', tags: ['vip', 'nl'], status: 'active', version: 1 });
    expect(await device('D-old')).toMatchObject({ user_id: null, tags: [], user_data: {}, status: 'inactive', replaced_by: 'D-token-2', version: 4 });
    expect(await device('D-anon-2')).toMatchObject({ user_data: { firstName: 'Anna', birthdate: '1990-01-31' } });
  });

  it('an invalid command is dead-lettered with its reason and its sender gets a 400 naming the field', async () => {
    const invalid = command(REGISTER_DEVICE, 'D-invalid', { platform: 'Windows' } as never);
    const good = register('D-invalid');

    const [refused, accepted] = await handled(invalid, good);

    expect(refused).toMatchObject({
      type: 'command.rejected',
      payload: { status: 400, code: 'VALIDATION_FAILED', fields: [expect.objectContaining({ field: 'platform' })] },
    });
    expect(accepted).toMatchObject({ type: 'command.accepted', payload: { created: true } });
    await deadLetters.waitForCount(1);
    expect(deadLetters.messages[0].headers[DLQ_HEADERS.reason]).toBe('invalid-payload');
    expect(deadLetters.messages[0].headers[DLQ_HEADERS.sourceTopic]).toBe(Topics.deviceCommands);
  });
});
