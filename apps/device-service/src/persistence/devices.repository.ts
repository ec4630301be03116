import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { DevicePlatform, DeviceTransport } from '@omni/contracts';
import { quoteIdentifier, queryRows, serializationFailure } from '@omni/persistence';
import { DEVICE_SCHEMA } from '../config';
import { Device, DevicePropertyValues, DeviceStatus, DeviceUserData } from '../domain/device';

/**
 * Plain SQL, one statement per call: every round trip to PostgreSQL is costly, and TypeORM's
 * `save()` spends a SELECT before each write. The table is described for migrations and tests by
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
  /** Load a device for change, locking its row until the transaction ends. */
  async findForUpdate(em: EntityManager, application: string, deviceId: string): Promise<Device | null> {
    const rows = await queryRows<DeviceRow>(em, `SELECT ${COLUMNS} FROM ${DEVICES} WHERE application = $1 AND device_id = $2 FOR UPDATE`, [
      application,
      deviceId,
    ]);
    return rows.length > 0 ? toDevice(rows[0]) : null;
  }

  /**
   * Load every device of a user for change, active or not, locking their rows until the
   * transaction ends — in deviceID order (code point order, whatever the database's collation),
   * the order in which a registration that moves a device locks its two rows. A row another
   * transaction is changing is waited for and read as that transaction left it: one that no
   * longer belongs to the user is left out.
   */
  async findOfUserForUpdate(em: EntityManager, application: string, userId: string): Promise<Device[]> {
    const rows = await queryRows<DeviceRow>(
      em,
      `SELECT ${COLUMNS} FROM ${DEVICES} WHERE application = $1 AND user_id = $2 ORDER BY device_id COLLATE "C" FOR UPDATE`,
      [application, userId],
    );
    return rows.map(toDevice);
  }

  /** Whether any committed device (or one this transaction changed) belongs to the user: a plain read, it waits for no lock. */
  async userHasDevices(em: EntityManager, application: string, userId: string): Promise<boolean> {
    const rows = await queryRows<{ found: boolean }>(
      em,
      `SELECT EXISTS (SELECT 1 FROM ${DEVICES} WHERE application = $1 AND user_id = $2) AS found`,
      [application, userId],
    );
    return rows[0].found;
  }

  /**
   * Store a device in one statement: insert one that was never stored, update one that was. The
   * row must still be at the version the device was read at (0: no row) — always so for a row this
   * transaction locked. A new device that another transaction inserted first (two registrations of
   * one new deviceID racing) is not overwritten: a serialization failure, retried, reads it.
   */
  async save(em: EntityManager, device: Device): Promise<void> {
    const { application, deviceId, userId, userName, platform, transport, properties, tags, userData, status, replacedBy, version } =
      device.snapshot;
    const storedVersion = version - device.events.length;
    const written = await queryRows(
      em,
      `INSERT INTO ${DEVICES} AS d (${COLUMNS})
       VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8::text[], $9::jsonb, $10, $11, $12)
       ON CONFLICT (application, device_id) DO UPDATE SET
         user_id = EXCLUDED.user_id, user_name = EXCLUDED.user_name, platform = EXCLUDED.platform,
         transport = EXCLUDED.transport, properties = EXCLUDED.properties, tags = EXCLUDED.tags,
         user_data = EXCLUDED.user_data, status = EXCLUDED.status, replaced_by = EXCLUDED.replaced_by,
         version = EXCLUDED.version, updated_at = now()
       WHERE d.version = $13
       RETURNING 1`,
      [
        application,
        deviceId,
        userId,
        userName,
        platform,
        transport,
        JSON.stringify(properties),
        tags,
        JSON.stringify(userData),
        status,
        replacedBy,
        version,
        storedVersion,
      ],
    );
    if (written.length === 0) {
      throw serializationFailure(`device changed concurrently (expected version ${storedVersion}); retrying`);
    }
  }
}

function toDevice(row: DeviceRow): Device {
  return Device.restore({
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
  });
}
