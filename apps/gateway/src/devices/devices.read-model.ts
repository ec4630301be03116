import { DataSource } from 'typeorm';
import { queryRows } from '@omni/persistence';
import { ApiError } from '../errors/api-error';
import { DEVICE_COLUMNS, DEVICE_FROM, DeviceModel, DeviceRow, RECIPIENT_FROM, recipientColumns, toDeviceModel } from './device-model';
import { DeviceActiveFilter, DeviceMedium } from './dto/device-queries.dto';

export const deviceNotFound = () => new ApiError(404, 'DEVICE_NOT_FOUND', 'device not found');

/** Default and largest page of a device list (reference: GET /device, /device/foruser/{userID}). */
export const DEVICE_PAGE_DEFAULT = 100;

/**
 * Where the recipients of one medium live in the read model: a SELECT of DeviceRow's columns for
 * an application ($1), optionally narrowed to one user ($2).
 */
interface RecipientSource {
  select(forUser: boolean): string;
}

const PUSH_DEVICES: RecipientSource = {
  select: (forUser) =>
    `SELECT ${DEVICE_COLUMNS} FROM ${DEVICE_FROM}
      WHERE d.application = $1 AND d.status = 'active'${forUser ? ' AND d.user_id = $2' : ''}`,
};

function recipients(channel: 'email' | 'sms'): RecipientSource {
  return {
    select: (forUser) =>
      `SELECT ${recipientColumns(channel)} FROM ${RECIPIENT_FROM}
        WHERE r.application = $1 AND r.channel = '${channel}' AND r.status = 'active'${forUser ? ' AND r.user_id = $2' : ''}`,
  };
}

const EMAIL_CONTACTS = recipients('email');
const SMS_NUMBERS = recipients('sms');

/** The sources each `medium` lists. */
const SOURCES: Record<DeviceMedium, readonly RecipientSource[]> = {
  push: [PUSH_DEVICES],
  email: [EMAIL_CONTACTS],
  sms: [SMS_NUMBERS],
  all: [PUSH_DEVICES, EMAIL_CONTACTS, SMS_NUMBERS],
};

/** The gateway's reads of devices: the projection's tables, always within one application (tenant). */
export class DevicesReadModel {
  constructor(private readonly dataSource: DataSource) {}

  /** An active device's user (null when anonymous); undefined when there is no such active device. */
  async activeDeviceUser(application: string, deviceId: string): Promise<{ userId: string | null } | undefined> {
    const rows = await queryRows<{ user_id: string | null }>(
      this.dataSource,
      `SELECT user_id FROM projection.devices WHERE application = $1 AND device_id = $2 AND status = 'active'`,
      [application, deviceId],
    );
    return rows[0] && { userId: rows[0].user_id };
  }

  /** A device in the reference's DeviceModel shape, or 404. */
  async device(application: string, deviceId: string, active: DeviceActiveFilter = 'true'): Promise<DeviceModel> {
    const status = active === 'any' ? 'any' : active === 'true' ? 'active' : 'inactive';
    const rows = await queryRows<DeviceRow>(
      this.dataSource,
      `SELECT ${DEVICE_COLUMNS} FROM ${DEVICE_FROM}
        WHERE d.application = $1 AND d.device_id = $2 AND ($3 = 'any' OR d.status = $3)`,
      [application, deviceId, status],
    );
    if (!rows[0]) throw deviceNotFound();
    return toDeviceModel(application, rows[0]);
  }

  /** An active device's tags, or 404. */
  async tags(application: string, deviceId: string): Promise<string[]> {
    const rows = await queryRows<{ tags: string[] }>(
      this.dataSource,
      `SELECT tags FROM projection.devices WHERE application = $1 AND device_id = $2 AND status = 'active'`,
      [application, deviceId],
    );
    if (!rows[0]) throw deviceNotFound();
    return rows[0].tags ?? [];
  }

  /** An active device's user data: its user's when it has one, else its own; or 404. */
  async userData(application: string, deviceId: string): Promise<Record<string, unknown>> {
    const rows = await queryRows<Pick<DeviceRow, 'user_data'>>(
      this.dataSource,
      `SELECT ${DEVICE_COLUMNS} FROM ${DEVICE_FROM} WHERE d.application = $1 AND d.device_id = $2 AND d.status = 'active'`,
      [application, deviceId],
    );
    if (!rows[0]) throw deviceNotFound();
    return rows[0].user_data ?? {};
  }

  /**
   * A page of the active recipients of a medium, of the whole application or of one user, in
   * registration order; `count` is the total (for paging).
   */
  async list(
    application: string,
    query: { userId?: string; medium: DeviceMedium; skip: number; limit: number },
  ): Promise<{ devices: DeviceModel[]; count: number }> {
    const sources = SOURCES[query.medium];
    if (sources.length === 0) return { devices: [], count: 0 };
    const forUser = query.userId !== undefined;
    const union = sources.map((source) => source.select(forUser)).join('\nUNION ALL\n');
    const parameters: unknown[] = forUser ? [application, query.userId] : [application];
    const page = parameters.length;
    const rows = await queryRows<DeviceRow>(
      this.dataSource,
      // eslint-disable-next-line omni/sql-parameters -- union of the constant SELECTs of SOURCES (device-model.ts columns and joins); the medium only picks which
      `SELECT * FROM (${union}) r ORDER BY r.created_at, r.medium, r.device_id OFFSET $${page + 1} LIMIT $${page + 2}`,
      [...parameters, query.skip, query.limit],
    );
    // eslint-disable-next-line omni/sql-parameters -- union of the constant SELECTs of SOURCES (device-model.ts columns and joins); the medium only picks which
    const [{ count }] = await queryRows<{ count: number }>(this.dataSource, `SELECT count(*)::int AS count FROM (${union}) r`, parameters);
    return { devices: rows.map((row) => toDeviceModel(application, row)), count };
  }
}
