import { INestApplication } from '@nestjs/common';
import { DataSource, QueryRunner } from 'typeorm';
import {
  APPLICATION_CREATED,
  ASSIGN_DEVICE_USER,
  ApplicationSettings,
  CommandType,
  DEACTIVATE_DEVICE,
  DEVICE_USER_ERASED,
  ERASE_DEVICE_USER,
  Envelope,
  Message,
  OVERRIDE_DEVICE_USER_DATA,
  REGISTER_DEVICE,
  Topics,
  UPDATE_DEVICE,
  newEnvelope,
  ERASED_AGGREGATE_ID,
} from '@omni/contracts';
import { MessagePublisher, recordFor } from '@omni/messaging';
import { loadConfig } from '@omni/config';
import { createLogger } from '@omni/observability';
import { CommandServiceHarness, ScannedRow, TopicRecorder, schemaRows, startCommandService, waitFor } from '@omni/testing';
import { DeviceServiceConfig } from '../src/config';
import { DeviceServiceModule } from '../src/device-service.module';
import { RegisterDeviceUseCase } from '../src/use-cases/register-device/register-device.use-case';
import { UpdateDeviceUseCase } from '../src/use-cases/update-device/update-device.use-case';

const logger = createLogger('device-service-erase-test', 'silent');

type Outcome = Envelope<string, { commandId: string; commandType?: string; aggregateType?: string; created?: boolean; status?: number; code?: string }>;

/** A row of any table of the service's schema, as text, with where it was found. */

describe('device-service: erasing a user (device.erase-user) on the real broker and database', () => {
  let app: INestApplication;
  let dataSource: DataSource;
  let publisher: MessagePublisher;
  let outcomes: TopicRecorder;
  let events: TopicRecorder;
  let harness: CommandServiceHarness;

  const APP = 'app-device-erase';
  const SETTINGS: ApplicationSettings = { userRegistration: 'sdk', userDataFields: [{ key: 'firstName', label: 'First name', type: 'text' }] };
  // Coordinates and numbers distinct enough to be searched for as text.
  const LOCATION = { type: 'Point' as const, coordinates: [4.8971234, 52.3779876] as [number, number] };

  function command<T extends CommandType>(type: T, aggregateId: string, payload: Message<T>['payload']): Message<T> {
    return newEnvelope({ type, application: APP, aggregateId, aggregateVersion: null, payload });
  }
  const register = (deviceId: string, payload: Partial<Message<typeof REGISTER_DEVICE>['payload']> = {}) =>
    command(REGISTER_DEVICE, deviceId, { platform: 'Android', transport: 'GCM', language: 'en', ...payload });
  const erase = (userId: string) => command(ERASE_DEVICE_USER, userId, { credential: 'master' });

  const send = (...commands: Envelope[]) => publisher.publish(commands.map((c) => recordFor(Topics.deviceCommands, c)));
  const outcomesOf = (commandId: string) => outcomes.values<Outcome>().filter((o) => o.payload.commandId === commandId);
  const eventsOf = (commandId: string) => events.values<Envelope>().filter((event) => event.correlationId === commandId);

  /** Send commands and wait for the outcome of each; returns the outcomes in order. */
  async function handled(...commands: Envelope[]): Promise<Outcome[]> {
    await send(...commands);
    for (const c of commands) await waitFor(() => outcomesOf(c.id).length > 0, { description: `the outcome of ${c.type} on ${c.aggregateId}` });
    return commands.map((c) => outcomesOf(c.id)[0]);
  }
  async function accepted(...commands: Envelope[]): Promise<void> {
    const answers = await handled(...commands);
    expect(answers.map((o) => o.type)).toEqual(commands.map(() => 'command.accepted'));
  }

  const device = async (deviceId: string) =>
    (
      await dataSource.query(
        'SELECT device_id, user_id, user_name, platform, transport, properties, tags, user_data, status, replaced_by, version FROM device.devices WHERE application = $1 AND device_id = $2',
        [APP, deviceId],
      )
    )[0];
  const devicesOfUser = async (userId: string): Promise<string[]> =>
    (await dataSource.query('SELECT device_id FROM device.devices WHERE application = $1 AND user_id = $2 ORDER BY device_id', [APP, userId])).map(
      (row: { device_id: string }) => row.device_id,
    );
  /** Events the command's transaction wrote to the outbox, by type (committed with its outcome, so complete once the outcome is seen). */
  const outboxEventsOf = async (commandId: string): Promise<string[]> =>
    (
      await dataSource.query("SELECT message_type FROM device.outbox WHERE envelope->>'correlationId' = $1 AND message_type NOT LIKE 'command.%' ORDER BY id", [
        commandId,
      ])
    ).map((row: { message_type: string }) => row.message_type);

  /** Every row of every table of the device-service's schema. */
  async function scanSchema(): Promise<ScannedRow[]> {
    const { tables, rows } = await schemaRows(dataSource, 'device');
    expect(tables).toEqual(expect.arrayContaining(['devices', 'outbox', 'inbox', 'application_settings']));
    return rows;
  }

  /**
   * Where the values still stand in the schema. The one place a userID may stay: the outcome of the
   * erase command itself, whose aggregate id is the userID by contract (see the report).
   */
  async function traces(userId: string, values: string[]): Promise<{ table: string; value: string; row: string }[]> {
    const isEraseOutcome = ({ table, row }: ScannedRow) => {
      const envelope = row.envelope as { type?: string; payload?: { commandType?: string } } | undefined;
      return table === 'outbox' && envelope?.type?.startsWith('command.') === true && envelope.payload?.commandType === ERASE_DEVICE_USER;
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
      name: 'device-service',
      commandsTopic: Topics.deviceCommands,
      eventsTopic: Topics.deviceEvents,
      outcomesTopic: Topics.commandOutcomes,
      logger,
      module: (env) => DeviceServiceModule.register(loadConfig(DeviceServiceConfig, env), logger),
    });
    ({ app, publisher, outcomes, events } = harness);
    dataSource = app.get(DataSource);
    const created = newEnvelope({ type: APPLICATION_CREATED, application: APP, aggregateId: APP, aggregateVersion: 1, payload: { name: APP, settings: SETTINGS } });
    await publisher.publish([recordFor(Topics.applicationEvents, created)]);
    await waitFor(async () => (await dataSource.query('SELECT 1 FROM device.application_settings WHERE application = $1', [APP])).length === 1, {
      description: "the service's copy of the settings",
    });
  });

  afterAll(async () => {
    await harness?.stop();
  });

  it("every device of the user, active or not, becomes anonymous with device.user-erased; nothing of the user's stays in the service's tables", async () => {
    const USER = 'U-erase-7f3a91';
    const NAME = 'Erin Erasable-Q';
    const FIRST_NAME = 'Erinna-Zq';
    // D-erase-1: registered with the user, then reports where it is.
    await accepted(register('D-erase-1', { userID: USER, userName: NAME, osVersion: '14' }));
    await accepted(command(UPDATE_DEVICE, 'D-erase-1', { location: LOCATION, locationAccuracy: 17.25, altitude: 3.625 }));
    // D-erase-2: registered with the user and a location, then deactivated (an inactive device of the user).
    await accepted(register('D-erase-2', { userID: USER, userName: NAME, location: LOCATION }));
    await accepted(command(DEACTIVATE_DEVICE, 'D-erase-2', { credential: 'master' }));
    // D-erase-3: device-level user data given while anonymous, then attached to the user.
    await accepted(register('D-erase-3'));
    await accepted(
      command(OVERRIDE_DEVICE_USER_DATA, 'D-erase-3', { userData: { firstName: FIRST_NAME } }),
      command(ASSIGN_DEVICE_USER, 'D-erase-3', { userID: USER, userName: NAME, credential: 'master' }),
    );
    // Another user's device stays as it is.
    await accepted(register('D-keep', { userID: 'U-keep', userName: 'Kept', location: LOCATION }));
    const ids = ['D-erase-1', 'D-erase-2', 'D-erase-3'];
    const before = await Promise.all(ids.map((id) => device(id)));
    const keepBefore = await device('D-keep');
    expect(before.map((row) => [row.user_id, row.status, row.user_data])).toEqual([
      [USER, 'active', {}],
      [USER, 'inactive', {}],
      [USER, 'active', { firstName: FIRST_NAME }],
    ]);

    const cmd = erase(USER);
    const [outcome] = await handled(cmd);

    expect(outcome).toMatchObject({
      type: 'command.accepted',
      aggregateId: ERASED_AGGREGATE_ID,
      aggregateVersion: 0,
      payload: { commandType: ERASE_DEVICE_USER, aggregateType: 'user' },
    });
    await waitFor(() => eventsOf(cmd.id).length === 3, { description: 'three device.user-erased events' });
    // One event per device, each on its device's partition (so in any order across them).
    const erasedEvents = [...eventsOf(cmd.id)].sort((a, b) => a.aggregateId.localeCompare(b.aggregateId));
    expect(erasedEvents.map((e) => [e.type, e.aggregateId, e.aggregateVersion, e.payload, e.causationId])).toEqual(
      ids.map((id, i) => [DEVICE_USER_ERASED, id, before[i].version + 1, { userID: null }, cmd.id]),
    );
    for (const event of eventsOf(cmd.id)) expect(event).not.toHaveProperty('subject');

    // Still registered, anonymous; platform, transport, status, tags and the other properties stay.
    expect(await device('D-erase-1')).toEqual({
      ...before[0],
      user_id: null,
      user_name: null,
      properties: { language: 'en', osVersion: '14' },
      version: before[0].version + 1,
    });
    expect(await device('D-erase-2')).toEqual({ ...before[1], user_id: null, user_name: null, properties: { language: 'en' }, version: before[1].version + 1 });
    expect(await device('D-erase-3')).toEqual({ ...before[2], user_id: null, user_name: null, user_data: {}, version: before[2].version + 1 });
    expect(await device('D-keep')).toEqual(keepBefore);

    // No table of the schema (devices, outbox, inbox, settings) holds what the user's devices
    // recorded while they belonged to the user: in the outbox their events are sealed.
    const recorded = [NAME, String(LOCATION.coordinates[0]), String(LOCATION.coordinates[1]), '17.25', '3.625'];
    const left = await traces(USER, recorded);
    // The kept user's location stays in its row: the search finds what is there.
    expect(left.map((trace) => [trace.table, trace.value])).toEqual([
      ['devices', String(LOCATION.coordinates[0])],
      ['devices', String(LOCATION.coordinates[1])],
    ]);
    expect(left.every((trace) => trace.row.includes('D-keep'))).toBe(true);
    // User data given while the device was anonymous is gone from the service's state (its
    // anonymous events carried it in clear, by the sealing rules: see the report).
    expect((await traces(USER, [FIRST_NAME])).filter((trace) => trace.table !== 'outbox')).toEqual([]);
  });

  it('erasing the same user again, or a user with no devices, is accepted with no events; a redelivered erase answers once', async () => {
    const USER = 'U-erase-twice';
    await accepted(register('D-twice', { userID: USER, userName: 'Twice' }));
    const first = erase(USER);
    const again = erase(USER);
    const nobody = erase('U-never-seen');

    await send(first, first);
    await waitFor(() => outcomesOf(first.id).length > 0, { description: 'the first erase' });
    const [againOutcome, nobodyOutcome] = await handled(again, nobody);

    for (const answer of [outcomesOf(first.id)[0], againOutcome, nobodyOutcome]) {
      expect(answer).toMatchObject({ type: 'command.accepted', aggregateVersion: 0, payload: { commandType: ERASE_DEVICE_USER, aggregateType: 'user' } });
    }
    expect(await outboxEventsOf(first.id)).toEqual([DEVICE_USER_ERASED]);
    expect(await outboxEventsOf(again.id)).toEqual([]);
    expect(await outboxEventsOf(nobody.id)).toEqual([]);
    // The redelivered command was dropped by the inbox: one outcome, one event.
    const marker = erase('U-marker');
    await handled(marker);
    expect(outcomesOf(first.id)).toHaveLength(1);
    expect(await device('D-twice')).toMatchObject({ user_id: null, version: 2 });
  });

  it('per-device writes racing the erasure cannot bring the user back: a registration moving the device to a new deviceID, an update setting a location', async () => {
    const USER = 'U-erase-race';
    await accepted(register('D-race-old', { userID: USER, userName: 'Racer' }), register('D-race-upd', { userID: USER, userName: 'Racer' }));
    const mover: QueryRunner = dataSource.createQueryRunner();
    const updater: QueryRunner = dataSource.createQueryRunner();
    const cmd = erase(USER);
    try {
      // Two per-device commands in flight, uncommitted, holding their rows' locks: the SDK moves
      // D-race-old's user to a new push token, and another device reports its location.
      await mover.startTransaction();
      const move = register('D-race-new', { oldDeviceID: 'D-race-old' });
      expect(await app.get(RegisterDeviceUseCase).execute(mover.manager, move)).toMatchObject({ kind: 'accepted', created: true });
      await updater.startTransaction();
      const located = command(UPDATE_DEVICE, 'D-race-upd', { location: LOCATION });
      expect(await app.get(UpdateDeviceUseCase).execute(updater.manager, located)).toMatchObject({ kind: 'accepted' });

      // The erasure arrives meanwhile and waits for the rows' locks.
      await send(cmd);
      await waitFor(
        async () =>
          (
            await dataSource.query(
              "SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND application_name = 'device-service'",
            )
          ).length > 0,
        { description: 'the erasure waiting for the per-device locks' },
      );
      expect(outcomesOf(cmd.id)).toEqual([]);
      await mover.commitTransaction();
      await updater.commitTransaction();
    } finally {
      if (mover.isTransactionActive) await mover.rollbackTransaction();
      if (updater.isTransactionActive) await updater.rollbackTransaction();
      await Promise.all([mover.release(), updater.release()]);
    }

    await waitFor(() => outcomesOf(cmd.id).length > 0, { description: 'the outcome of the erasure' });
    expect(outcomesOf(cmd.id)[0]).toMatchObject({ type: 'command.accepted', aggregateVersion: 0 });
    // The device the move created (invisible to the erasure's first look) was erased too.
    expect(await devicesOfUser(USER)).toEqual([]);
    expect((await outboxEventsOf(cmd.id)).sort()).toEqual([DEVICE_USER_ERASED, DEVICE_USER_ERASED]);
    expect(await device('D-race-new')).toMatchObject({ user_id: null, user_name: null, status: 'active', version: 2 });
    expect(await device('D-race-old')).toMatchObject({ user_id: null, status: 'inactive', replaced_by: 'D-race-new' });
    // The location written while the erasure waited went with the user.
    expect(await device('D-race-upd')).toMatchObject({ user_id: null, properties: { language: 'en' }, version: 3 });
  });
});
