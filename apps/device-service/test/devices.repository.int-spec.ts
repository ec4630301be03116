import { DataSource, EntityManager } from 'typeorm';
import { ADD_DEVICE_TAGS, ASSIGN_DEVICE_USER, CausedBy, CommandType, Message, REGISTER_DEVICE, newEnvelope } from '@omni/contracts';
import { ApplicationSettingsStore } from '@omni/app-settings';
import { createServiceDataSource } from '@omni/persistence';
import { batchStatementsOf, statementsOf, TestDatabase, testDatabase } from '@omni/testing';
import { DEVICE_SCHEMA } from '../src/config';
import { Device, DeviceState } from '../src/domain/device';
import { DeviceEntity } from '../src/persistence/device.entity';
import { DevicesRepository } from '../src/persistence/devices.repository';
import { AddDeviceTagsUseCase } from '../src/use-cases/add-device-tags/add-device-tags.use-case';
import { AssignDeviceUserUseCase } from '../src/use-cases/assign-device-user/assign-device-user.use-case';
import { RegisterDeviceUseCase } from '../src/use-cases/register-device/register-device.use-case';

const APP = 'app-devices-repository';
const cause: CausedBy = { id: 'command-1', correlationId: 'command-1', application: APP };
/** Tags that a text[] literal must quote or escape, and text beyond ASCII. */
const AWKWARD_TAGS = ['ünïcode', '标签', 'with "quotes"', 'back\\slash', 'comma, {braces}', 'NULL', '😀'];

/** The state TypeORM's entity maps from the row (what the repository returned before it used plain SQL). */
function entityState(row: DeviceEntity): DeviceState {
  const { application, deviceId, userId, userName, platform, transport, properties, tags, userData, status, replacedBy, version } = row;
  return { application, deviceId, userId, userName, platform, transport, properties, tags, userData, status, replacedBy, version };
}

describe('DevicesRepository on PostgreSQL', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  const devices = new DevicesRepository();

  const inTransaction = <T>(work: (em: EntityManager) => Promise<T>): Promise<T> => dataSource.transaction(work);
  const save = (device: Device) => inTransaction((em) => devices.save(em, device));
  const read = (deviceId: string) => inTransaction((em) => devices.findForUpdate(em, APP, deviceId));
  const entity = (deviceId: string) => dataSource.getRepository(DeviceEntity).findOneByOrFail({ application: APP, deviceId });

  beforeAll(async () => {
    db = await testDatabase();
    dataSource = await createServiceDataSource({ url: db.url, schema: DEVICE_SCHEMA, applicationName: 'devices-repository-test', entities: [DeviceEntity] }).initialize();
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await db?.drop();
  });

  it('a device with every column set reads back as it was saved, and as the entity maps its row', async () => {
    const device = Device.register(
      APP,
      'device-ünï-😀',
      {
        platform: 'iOS',
        transport: 'APNS',
        properties: {
          language: 'nl',
          region: 'NL',
          timeZoneOffset: 5.5,
          location: { type: 'Point', coordinates: [4.8971234, 52.3779876] },
          locationAccuracy: 10.5,
          allowedUI: true,
          bluetoothEnabled: false,
          deviceString: 'iPhone "14", \\ {x} – ☃',
        },
        user: { userId: 'user-Ü-1', userName: "Zoë O'Brien 😀" },
        carried: { fromDeviceId: 'device-old', user: null, tags: AWKWARD_TAGS, userData: { firstName: 'Zoë', age: 42, vip: true } },
      },
      cause,
    );
    await save(device);

    const found = await read('device-ünï-😀');

    expect(found?.snapshot).toEqual(device.snapshot);
    expect(found?.snapshot).toMatchObject({ version: 1, status: 'active', tags: AWKWARD_TAGS, userName: "Zoë O'Brien 😀" });
    expect(entityState(await entity('device-ünï-😀'))).toEqual(device.snapshot);
  });

  it('an anonymous device with nothing set keeps its nulls, empty tags and empty objects', async () => {
    const device = Device.register(APP, 'device-empty', { platform: 'Android', properties: {} }, cause);
    await save(device);

    const found = await read('device-empty');

    expect(found?.snapshot).toEqual({
      application: APP,
      deviceId: 'device-empty',
      userId: null,
      userName: null,
      platform: 'Android',
      transport: device.snapshot.transport,
      properties: {},
      tags: [],
      userData: {},
      status: 'active',
      replacedBy: null,
      version: 1,
    });
    expect(entityState(await entity('device-empty'))).toEqual(found?.snapshot);
  });

  it('a change saved later rewrites the row in place: its new version, the same created_at, a later updated_at', async () => {
    const device = Device.register(APP, 'device-replaced', { platform: 'iOS', properties: { language: 'en' }, user: { userId: 'U1', userName: 'Ada' } }, cause);
    device.addTags(['a'], cause);
    await save(device);
    const created = await entity('device-replaced');

    const changed = await inTransaction(async (em) => {
      const stored = await devices.findForUpdate(em, APP, 'device-replaced');
      stored!.replaceBy('device-new', cause);
      await devices.save(em, stored!);
      return stored!;
    });

    expect(changed.snapshot).toMatchObject({ version: 3, status: 'inactive', replacedBy: 'device-new', userId: null, userName: null, tags: [], userData: {} });
    expect((await read('device-replaced'))?.snapshot).toEqual(changed.snapshot);
    const row = await entity('device-replaced');
    expect(row.createdAt).toEqual(created.createdAt);
    const [{ moved }] = await dataSource.query(`SELECT updated_at > created_at AS moved FROM device.devices WHERE application = $1 AND device_id = $2`, [
      APP,
      'device-replaced',
    ]);
    expect(moved).toBe(true);
  });

  it('a save never overwrites a row that is not at the version the device was read at: a retryable serialization failure', async () => {
    const first = Device.register(APP, 'device-raced', { platform: 'iOS', properties: { language: 'en' } }, cause);
    await save(first);
    // Another registration of the same new deviceID, decided before the first committed.
    const second = Device.register(APP, 'device-raced', { platform: 'Android', properties: { language: 'de' } }, cause);
    // A copy read at version 1 while another transaction moved the row on to version 2.
    const stale = Device.restore(first.snapshot);
    const moved = Device.restore(first.snapshot);
    moved.addTags(['moved'], cause);
    await save(moved);
    stale.addTags(['stale'], cause);

    await expect(save(second)).rejects.toMatchObject({ code: '40001' });
    await expect(save(stale)).rejects.toMatchObject({ code: '40001' });
    expect((await read('device-raced'))?.snapshot).toEqual(moved.snapshot);
  });

  it("a user's devices are locked and listed in code point order, whatever the collation; userHasDevices sees them", async () => {
    for (const deviceId of ['b', 'a', 'é', '😀', 'B']) {
      await save(Device.register(APP, `order-${deviceId}`, { platform: 'iOS', properties: {}, user: { userId: 'U-order', userName: null } }, cause));
    }
    await save(Device.register(APP, 'order-other', { platform: 'iOS', properties: {}, user: { userId: 'U-other', userName: null } }, cause));

    const found = await inTransaction((em) => devices.findOfUserForUpdate(em, APP, 'U-order'));

    expect(found.map((device) => device.snapshot.deviceId)).toEqual(['order-B', 'order-a', 'order-b', 'order-é', 'order-😀']);
    expect(found[0].snapshot).toEqual((await read('order-B'))?.snapshot);
    expect(await inTransaction((em) => devices.userHasDevices(em, APP, 'U-order'))).toBe(true);
    expect(await inTransaction((em) => devices.userHasDevices(em, APP, 'U-nobody'))).toBe(false);
  });

  it('findForUpdate holds the row until its transaction ends; an unknown device is null', async () => {
    await save(Device.register(APP, 'device-locked', { platform: 'iOS', properties: {} }, cause));
    const holder = dataSource.createQueryRunner();
    await holder.startTransaction();
    try {
      await devices.findForUpdate(holder.manager, APP, 'device-locked');
      const waiting = inTransaction(async (em) => {
        await em.query(`SET LOCAL lock_timeout = '100ms'`);
        return devices.findForUpdate(em, APP, 'device-locked');
      });
      await expect(waiting).rejects.toMatchObject({ driverError: expect.objectContaining({ code: '55P03' }) });
    } finally {
      await holder.commitTransaction();
      await holder.release();
    }
    expect(await read('device-locked')).not.toBeNull();
    expect(await read('device-unknown')).toBeNull();
  });

  it('the limit of active devices per user holds when two attaches to the user run at once: the second waits, counts, and is refused', async () => {
    const settings = new ApplicationSettingsStore(DEVICE_SCHEMA);
    await inTransaction((em) => settings.apply(em, APP, 1, { userRegistration: 'sdk', userDataFields: [], channelLimits: { devicesPerUser: 3 } }));
    for (const deviceId of ['limit-a', 'limit-b', 'limit-1', 'limit-2']) {
      await save(Device.register(APP, deviceId, { platform: 'iOS', properties: {}, ...(deviceId.startsWith('limit-a') || deviceId.startsWith('limit-b') ? { user: { userId: 'U-limit', userName: null } } : {}) }, cause));
    }
    const assign = new AssignDeviceUserUseCase(devices, settings);
    const attach = (deviceId: string) =>
      newEnvelope({ type: ASSIGN_DEVICE_USER, application: APP, aggregateId: deviceId, aggregateVersion: null, payload: { userID: 'U-limit', credential: 'master' as const } });

    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let firstDecided!: () => void;
    const decided = new Promise<void>((resolve) => (firstDecided = resolve));
    const first = inTransaction(async (em) => {
      const decision = await assign.execute(em, attach('limit-1'));
      firstDecided();
      await held; // the first attach has counted and written, and has not committed yet
      return decision;
    });
    await decided;
    const second = inTransaction((em) => assign.execute(em, attach('limit-2')));
    // The second waits for the first's lock on the user's devices (it cannot count yet).
    await new Promise((resolve) => setTimeout(resolve, 200));
    release();

    expect(await first).toMatchObject({ kind: 'accepted' });
    expect(await second).toMatchObject({ kind: 'rejected', status: 409, code: 'CHANNEL_LIMIT_REACHED' });
    expect((await read('limit-2'))?.snapshot.userId).toBeNull();
  });

  it("in a consumer's batch, the limit counts the batch's own attaches: what passes without a count never goes past it", async () => {
    const settings = new ApplicationSettingsStore(DEVICE_SCHEMA);
    await inTransaction((em) => settings.apply(em, APP, 2, { userRegistration: 'sdk', userDataFields: [], channelLimits: { devicesPerUser: 3 } }));
    await save(Device.register(APP, 'batch-limit-0', { platform: 'iOS', properties: {}, user: { userId: 'U-batch-limit', userName: null } }, cause));
    for (const deviceId of ['batch-limit-1', 'batch-limit-2', 'batch-limit-3']) await save(Device.register(APP, deviceId, { platform: 'iOS', properties: {} }, cause));
    const assign = new AssignDeviceUserUseCase(devices, settings);
    const decisions: unknown[] = [];
    await batchStatementsOf(dataSource, async (tx) => {
      const em = tx.shared()!.em;
      const ids = ['batch-limit-1', 'batch-limit-2', 'batch-limit-3'];
      await devices.preload(em, ids.map((deviceId) => ({ application: APP, deviceId })));
      await devices.preloadUsers(em, [{ application: APP, userId: 'U-batch-limit' }]);
      for (const deviceId of ids) {
        const attach = newEnvelope({ type: ASSIGN_DEVICE_USER, application: APP, aggregateId: deviceId, aggregateVersion: null, payload: { userID: 'U-batch-limit', credential: 'master' as const } });
        decisions.push(await tx.run((runEm) => assign.execute(runEm, attach)));
      }
    });
    expect(decisions.map((decision) => (decision as { kind: string }).kind)).toEqual(['accepted', 'accepted', 'rejected']);
    expect((await read('batch-limit-3'))?.snapshot.userId).toBeNull();
  });

  describe('statements per command (each one is a round trip)', () => {
    const settings = new ApplicationSettingsStore(DEVICE_SCHEMA);
    const command = <T extends CommandType>(type: T, deviceId: string, payload: Message<T>['payload']): Message<T> =>
      newEnvelope({ type, application: APP, aggregateId: deviceId, aggregateVersion: null, payload });

    const statements = (run: (em: EntityManager) => Promise<unknown>) => statementsOf(dataSource, run);

    it('registering a new device from the SDK, attaching it to a user with the master secret, tagging it: one locking read and one write each (and, to attach, the limit: settings, the user\'s lock, a count)', async () => {
      const register = new RegisterDeviceUseCase(devices, settings);
      const assign = new AssignDeviceUserUseCase(devices, settings);
      const addTags = new AddDeviceTagsUseCase(devices);

      expect(
        await statements((em) => register.execute(em, command(REGISTER_DEVICE, 'device-counted', { platform: 'iOS', language: 'en', credential: 'sdk' }))),
      ).toEqual(['SELECT', 'INSERT']);
      expect(
        await statements((em) => assign.execute(em, command(ASSIGN_DEVICE_USER, 'device-counted', { userID: 'U-counted', credential: 'master' }))),
      ).toEqual(['SELECT', 'SELECT', 'SELECT', 'SELECT', 'UPDATE']);
      expect(await statements((em) => addTags.execute(em, command(ADD_DEVICE_TAGS, 'device-counted', { tags: ['x'] })))).toEqual(['SELECT', 'UPDATE']);
      expect((await read('device-counted'))?.snapshot).toMatchObject({ userId: 'U-counted', tags: ['x'], version: 3 });
    });

    /** Runs `commands` as a consumer's unit does (its devices loaded first, then each command in the batch). */
    const inBatch = (commands: Message<CommandType>[], execute: (em: EntityManager, command: Message<CommandType>) => Promise<unknown>) =>
      batchStatementsOf(dataSource, async (tx) => {
        await devices.preload(tx.shared()!.em, commands.map(({ application, aggregateId }) => ({ application, deviceId: aggregateId })));
        const named = commands.flatMap(({ application, payload }) => ('userID' in payload && payload.userID ? [{ application, userId: payload.userID }] : []));
        await devices.preloadUsers(tx.shared()!.em, named);
        for (const each of commands) await tx.run((em) => execute(em, each));
      });

    it('in a consumer\'s batch: one locking read for all its devices, one insert of the new ones, one update of the others', async () => {
      const register = new RegisterDeviceUseCase(devices, settings);
      const assign = new AssignDeviceUserUseCase(devices, settings);
      const addTags = new AddDeviceTagsUseCase(devices);
      await save(Device.register(APP, 'device-batch-old', { platform: 'Android', properties: {} }, cause));
      const commands = [
        command(REGISTER_DEVICE, 'device-batch-new', { platform: 'iOS', language: 'en', credential: 'sdk' }),
        command(ASSIGN_DEVICE_USER, 'device-batch-new', { userID: 'U-batch', credential: 'master' }),
        command(ADD_DEVICE_TAGS, 'device-batch-old', { tags: ['x'] }),
        command(ADD_DEVICE_TAGS, 'device-batch-new', { tags: ['y'] }),
        command(ADD_DEVICE_TAGS, 'device-batch-old', { tags: ['z'] }),
      ];
      const sent = await inBatch(commands, (em, each) => {
        if (each.type === REGISTER_DEVICE) return register.execute(em, each as Message<typeof REGISTER_DEVICE>);
        if (each.type === ASSIGN_DEVICE_USER) return assign.execute(em, each as Message<typeof ASSIGN_DEVICE_USER>);
        return addTags.execute(em, each as Message<typeof ADD_DEVICE_TAGS>);
      });
      // The devices; the named users' locks and counts; the settings (once); the writes.
      expect(sent).toEqual(['SELECT', 'SELECT', 'SELECT', 'SELECT', 'INSERT', 'UPDATE']);
      // Each command saw what the one before it left: the new device's three changes, the old one's two.
      expect((await read('device-batch-new'))?.snapshot).toMatchObject({ userId: 'U-batch', tags: ['y'], version: 3 });
      expect((await read('device-batch-old'))?.snapshot).toMatchObject({ tags: ['x', 'z'], version: 3 });
    });

    it('in a consumer\'s batch, a new device another transaction inserted meanwhile fails the whole batch, to be retried', async () => {
      const register = new RegisterDeviceUseCase(devices, settings);
      const failed = inBatch([command(REGISTER_DEVICE, 'device-batch-raced', { platform: 'iOS', credential: 'sdk' })], async (em, each) => {
        // Absent when the batch loaded it (no row to lock): another registration commits it first.
        await save(Device.register(APP, 'device-batch-raced', { platform: 'Android', properties: {} }, cause));
        return register.execute(em, each as Message<typeof REGISTER_DEVICE>);
      });
      await expect(failed).rejects.toMatchObject({ code: '40001' });
      expect((await read('device-batch-raced'))?.snapshot).toMatchObject({ platform: 'Android', version: 1 });
    });
  });
});
