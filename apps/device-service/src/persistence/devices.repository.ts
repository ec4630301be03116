import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { DevicePlatform, DeviceTransport } from '@omni/contracts';
import { BatchRows, DeferredWrite, UserChannelLimit, UserRef, VersionedTable, quoteIdentifier, queryRows, serializationFailure } from '@omni/persistence';
import { DEVICE_SCHEMA } from '../config';
import { Device, DevicePropertyValues, DeviceState, DeviceStatus, DeviceUserData } from '../domain/device';

/**
 * Plain SQL, and in a consumer's batch one statement per table rather than per call (BatchRows):
 * every round trip to PostgreSQL is costly, and TypeORM's `save()` spends a SELECT before each write. The table is described for migrations and tests by
 * `DeviceEntity`; the columns read here are the ones it maps.
 */
const DEVICES = `${quoteIdentifier(DEVICE_SCHEMA)}.devices`;
const COLUMNS = 'application, device_id, user_id, user_name, platform, transport, properties, tags, user_data, status, replaced_by, version';


/** A row of device.devices as pg returns it (jsonb parsed, text[] as an array). */
interface DeviceRow {
  application: string;
  device_id: string;
  user_id: string | null;
  user_name: string | null;
  platform: DevicePlatform;
  transport: DeviceTransport;
  properties: DevicePropertyValues;
  tags: string[];
  user_data: DeviceUserData;
  status: DeviceStatus;
  replaced_by: string | null;
  version: number;
}

@Injectable()
export class DevicesRepository {
  /** In a consumer's batch: the devices it loaded and changed, written back together before it commits. */
  private readonly inBatch = new BatchRows<DeviceState>('devices of the batch', (em, writes) => this.writeAll(em, writes));

  /**
   * Load for change, with one statement, the devices a batch's commands name (absent ones are
   * remembered as absent), locking their rows in (application, deviceID) code point order.
   */
  async preload(em: EntityManager, devices: readonly { application: string; deviceId: string }[]): Promise<DeviceState[]> {
    const wanted = devices.filter(({ application, deviceId }) => this.inBatch.cached(em, keyOf(application, deviceId)) === undefined);
    if (wanted.length === 0) return [];
    const rows = await TABLE.lockAll<DeviceRow>(em, wanted.map(({ application, deviceId }) => ({ application, id: deviceId })));
    const states = rows.map(toState);
    for (const state of states) this.inBatch.remember(em, keyOf(state.application, state.deviceId), state);
    for (const { application, deviceId } of wanted) this.inBatch.remember(em, keyOf(application, deviceId), null);
    return states;
  }

  /** Load a device for change, locking its row until the transaction ends (in a batch: as the batch last left it). */
  async findForUpdate(em: EntityManager, application: string, deviceId: string): Promise<Device | null> {
    const key = keyOf(application, deviceId);
    const cached = this.inBatch.cached(em, key);
    if (cached !== undefined) return cached && Device.restore(cached);
    const rows = await queryRows<DeviceRow>(em, `SELECT ${COLUMNS} FROM ${DEVICES} WHERE application = $1 AND device_id = $2 FOR UPDATE`, [
      application,
      deviceId,
    ]);
    const state = rows.length > 0 ? toState(rows[0]) : null;
    this.inBatch.remember(em, key, state);
    return state && Device.restore(state);
  }

  /**
   * Load every device of a user for change, active or not, locking their rows until the
   * transaction ends — in deviceID order (code point order, whatever the database's collation),
   * the order in which a registration that moves a device locks its two rows. A row another
   * transaction is changing is waited for and read as that transaction left it: one that no
   * longer belongs to the user is left out.
   */
  async findOfUserForUpdate(em: EntityManager, application: string, userId: string): Promise<Device[]> {
    await this.inBatch.flush(em);
    const rows = await queryRows<DeviceRow>(
      em,
      `SELECT ${COLUMNS} FROM ${DEVICES} WHERE application = $1 AND user_id = $2 ORDER BY device_id COLLATE "C" FOR UPDATE`,
      [application, userId],
    );
    const states = rows.map(toState);
    for (const state of states) this.inBatch.remember(em, keyOf(state.application, state.deviceId), state);
    return states.map((state) => Device.restore(state));
  }

  /** The limit of active devices per user (see UserChannelLimit). */
  private readonly perUser = new UserChannelLimit({
    kind: 'active devices of a user',
    table: DEVICES,
    idColumn: 'device_id',
    counted: `status = 'active'`,
    beforeCount: (em) => this.inBatch.flush(em),
  });

  /** In a consumer's batch: lock the users its commands attach devices to, and count their active devices. */
  preloadUsers(em: EntityManager, users: readonly UserRef[]): Promise<void> {
    return this.perUser.preload(em, users);
  }

  /**
   * Whether the user may have one more active device (with `except`, the devices the change
   * concerns, not counted), every other attach to the user waiting for this transaction.
   */
  mayAttach(em: EntityManager, user: UserRef, except: readonly string[], limit: number): Promise<boolean> {
    return this.perUser.allows(em, user, except, limit);
  }

  /** Whether any committed device (or one this transaction changed) belongs to the user: a plain read, it waits for no lock. */
  async userHasDevices(em: EntityManager, application: string, userId: string): Promise<boolean> {
    await this.inBatch.flush(em);
    const rows = await queryRows<{ found: boolean }>(
      em,
      `SELECT EXISTS (SELECT 1 FROM ${DEVICES} WHERE application = $1 AND user_id = $2) AS found`,
      [application, userId],
    );
    return rows[0].found;
  }

  /**
   * Store a device: insert one that was never stored, update one that was. The row must still be
   * at the version the device was read at (0: no row) — always so for a row this transaction
   * locked. A new device that another transaction inserted first (two registrations of one new
   * deviceID racing) is not overwritten: a serialization failure, retried, reads it. In a batch
   * the write waits for the batch's others, all sent in one statement before it commits.
   */
  async save(em: EntityManager, device: Device): Promise<void> {
    const state = device.snapshot;
    const storedVersion = state.version - device.events.length;
    if (this.inBatch.defer(em, keyOf(state.application, state.deviceId), state, storedVersion)) return;
    await this.writeAll(em, [{ state, storedVersion }]);
  }

  /** New devices in one insert, changed ones in one update; a row not at its stored version fails them all. */
  private async writeAll(em: EntityManager, writes: DeferredWrite<DeviceState>[]): Promise<void> {
    const written = await TABLE.writeAll(em, writes);
    if (written < writes.length) {
      throw serializationFailure(`${writes.length - written} device(s) changed concurrently; retrying`);
    }
  }
}

const TABLE = new VersionedTable<DeviceState>({
  table: DEVICES,
  columns: COLUMNS.split(', '),
  types: ['text', 'text', 'text', 'text', 'text', 'text', 'jsonb', 'text[]', 'jsonb', 'text', 'text', 'integer'],
  values: columnValues,
});

/** The values of COLUMNS, in order. */
function columnValues(state: DeviceState): unknown[] {
  const { application, deviceId, userId, userName, platform, transport, properties, tags, userData, status, replacedBy, version } = state;
  return [application, deviceId, userId, userName, platform, transport, JSON.stringify(properties), tags, JSON.stringify(userData), status, replacedBy, version];
}

function keyOf(application: string, deviceId: string): string {
  return `${application}\u0000${deviceId}`;
}

function toState(row: DeviceRow): DeviceState {
  return {
    application: row.application,
    deviceId: row.device_id,
    userId: row.user_id,
    userName: row.user_name,
    platform: row.platform,
    transport: row.transport,
    properties: row.properties,
    tags: row.tags,
    userData: row.user_data,
    status: row.status,
    replacedBy: row.replaced_by,
    version: row.version,
  };
}
