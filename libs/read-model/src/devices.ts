import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { recipientIdChannel } from '@omni/contracts';
import { queryRows } from '@omni/persistence';
import { DeviceFilter, PUSH_COLUMNS, RECIPIENT_COLUMNS, SourceColumns, SqlParameters, withId } from './device-filters';
import { DEVICE_COLUMNS, DeviceModel, DeviceRow, recipientColumns, toDeviceModel } from './device-model';
import { READ_MODEL_TABLES as t } from './tables';

/** Channels a recipient can be reached on (`all` = every one). */
export const DEVICE_MEDIA = ['push', 'email', 'sms', 'all'] as const;
export type DeviceMedium = (typeof DEVICE_MEDIA)[number];

/** `true`: active devices only, `false`: inactive ones only, `any`: both. */
export const DEVICE_ACTIVE_FILTERS = ['true', 'false', 'any'] as const;
export type DeviceActiveFilter = (typeof DEVICE_ACTIVE_FILTERS)[number];

/** The join that gives a recipient its user's data. */
const RECIPIENT_FROM = `${t.recipients} r
  LEFT JOIN ${t.users} u ON u.application = r.application AND u.user_id = r.user_id`;

/** The join that gives a device its user's data. */
const DEVICE_FROM = `${t.devices} d
  LEFT JOIN ${t.users} u ON u.application = d.application AND u.user_id = d.user_id`;

/**
 * Where the recipients of one medium live in the read model: a SELECT of DeviceRow's columns of
 * an application's ($1) active ones, narrowed by a filter.
 */
interface RecipientSource {
  select(filter: DeviceFilter | undefined, parameters: SqlParameters): string;
}

function where(columns: SourceColumns, filter: DeviceFilter | undefined, parameters: SqlParameters): string {
  return filter ? ` AND (${filter(columns, parameters)})` : '';
}

const PUSH_DEVICES: RecipientSource = {
  select: (filter, parameters) =>
    `SELECT ${DEVICE_COLUMNS} FROM ${DEVICE_FROM}
      WHERE d.application = $1 AND d.status = 'active'${where(PUSH_COLUMNS, filter, parameters)}`,
};

function recipients(channel: 'email' | 'sms'): RecipientSource {
  return {
    select: (filter, parameters) =>
      `SELECT ${recipientColumns(channel)} FROM ${RECIPIENT_FROM}
        WHERE r.application = $1 AND r.channel = '${channel}' AND r.status = 'active'${where(RECIPIENT_COLUMNS, filter, parameters)}`,
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

/** A device list query: the active devices of a medium that pass the filter, a page of them. */
export interface DeviceListQuery {
  filter?: DeviceFilter;
  medium: DeviceMedium;
  skip: number;
  limit: number;
}

/** A tag of the application and how many of its active devices (of any medium) have it. */
export interface DeviceTag {
  tag: string;
  deviceCount: number;
}

/**
 * Devices, from the read model, always within one application (tenant): push devices, and email
 * contacts and SMS numbers as the reference lists them among devices. Undefined: no such device.
 */
@Injectable()
export class DeviceReads {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  /** An active device's user (null when anonymous); undefined when there is no such active device. */
  async activeDeviceUser(application: string, deviceId: string): Promise<{ userId: string | null } | undefined> {
    const rows = await queryRows<{ user_id: string | null }>(
      this.dataSource,
      `SELECT user_id FROM ${t.devices} WHERE application = $1 AND device_id = $2 AND status = 'active'`,
      [application, deviceId],
    );
    return rows[0] && { userId: rows[0].user_id };
  }

  /**
   * A device in the reference's DeviceModel shape: a push device (active, inactive or
   * either, as asked), else an active email contact or SMS number of that id (the `deviceID` their
   * POST answered; medium `email` or `sms`), as the reference's lists show them.
   */
  async device(application: string, deviceId: string, active: DeviceActiveFilter = 'true'): Promise<DeviceModel | undefined> {
    const status = active === 'any' ? 'any' : active === 'true' ? 'active' : 'inactive';
    const rows = await queryRows<DeviceRow>(
      this.dataSource,
      `SELECT ${DEVICE_COLUMNS} FROM ${DEVICE_FROM}
        WHERE d.application = $1 AND d.device_id = $2 AND ($3 = 'any' OR d.status = $3)`,
      [application, deviceId, status],
    );
    if (rows[0]) return toDeviceModel(application, rows[0]);
    // A contact's id names its channel: one lookup, and none for an id that is not a contact's.
    const channel = recipientIdChannel(deviceId);
    if (channel && active !== 'false') {
      const parameters = new SqlParameters([application]);
      const select = SOURCES[channel][0].select(withId(deviceId), parameters);
      const contacts = await queryRows<DeviceRow>(this.dataSource, select, parameters.values);
      if (contacts[0]) return toDeviceModel(application, contacts[0]);
    }
    return undefined;
  }

  /** An active device's tags. */
  async tags(application: string, deviceId: string): Promise<string[] | undefined> {
    const rows = await queryRows<{ tags: string[] }>(
      this.dataSource,
      `SELECT tags FROM ${t.devices} WHERE application = $1 AND device_id = $2 AND status = 'active'`,
      [application, deviceId],
    );
    return rows[0] && (rows[0].tags ?? []);
  }

  /** An active device's user data: its user's when it has one, else its own. */
  async userData(application: string, deviceId: string): Promise<Record<string, unknown> | undefined> {
    const rows = await queryRows<Pick<DeviceRow, 'user_data'>>(
      this.dataSource,
      `SELECT ${DEVICE_COLUMNS} FROM ${DEVICE_FROM} WHERE d.application = $1 AND d.device_id = $2 AND d.status = 'active'`,
      [application, deviceId],
    );
    return rows[0] && (rows[0].user_data ?? {});
  }

  /** An active device's Do Not Disturb period (`dnd` null when it has none). */
  async dnd(application: string, deviceId: string): Promise<{ dnd: { start: string; end: string } | null } | undefined> {
    const rows = await queryRows<{ dnd: { start: string; end: string } | null }>(
      this.dataSource,
      `SELECT properties -> 'dnd' AS dnd FROM ${t.devices} WHERE application = $1 AND device_id = $2 AND status = 'active'`,
      [application, deviceId],
    );
    return rows[0] && { dnd: rows[0].dnd ?? null };
  }

  /**
   * A page of the active recipients of a medium that pass the filter (all of the application's
   * without one), in registration order; `count` is the total (for paging).
   */
  async list(application: string, query: DeviceListQuery): Promise<{ devices: DeviceModel[]; count: number }> {
    const sources = SOURCES[query.medium];
    const parameters = new SqlParameters([application]);
    const union = sources.map((source) => source.select(query.filter, parameters)).join('\nUNION ALL\n');
    const countParameters = [...parameters.values];
    const skip = parameters.add(query.skip, 'bigint');
    const limit = parameters.add(query.limit, 'bigint');
    const rows = await queryRows<DeviceRow>(
      this.dataSource,
      // eslint-disable-next-line omni/sql-parameters -- union of the constant SELECTs of SOURCES (device-model.ts columns and joins) and the filters of device-filters.ts, whose values are all parameters
      `SELECT * FROM (${union}) r ORDER BY r.created_at, r.medium, r.device_id OFFSET ${skip} LIMIT ${limit}`,
      parameters.values,
    );
    // eslint-disable-next-line omni/sql-parameters -- as above: constant SELECTs and parameterised filters
    const [{ count }] = await queryRows<{ count: number }>(this.dataSource, `SELECT count(*)::int AS count FROM (${union}) r`, countParameters);
    return { devices: rows.map((row) => toDeviceModel(application, row)), count };
  }

  /** How many active recipients of a medium pass the filter. */
  async count(application: string, query: { filter?: DeviceFilter; medium: DeviceMedium }): Promise<number> {
    const parameters = new SqlParameters([application]);
    const union = SOURCES[query.medium].map((source) => source.select(query.filter, parameters)).join('\nUNION ALL\n');
    // eslint-disable-next-line omni/sql-parameters -- union of the constant SELECTs of SOURCES and the parameterised filters of device-filters.ts
    const [{ count }] = await queryRows<{ count: number }>(this.dataSource, `SELECT count(*)::int AS count FROM (${union}) r`, parameters.values);
    return count;
  }

  /**
   * A page of the application's tags — of its active devices of every medium (push devices, email
   * contacts, SMS numbers) — with how many devices have each, by tag; only tags that contain
   * `search` (any letter case) when given. `count` is the number of such tags (for paging).
   */
  async tagList(application: string, query: { search?: string; skip: number; limit: number }): Promise<{ tags: DeviceTag[]; count: number }> {
    const tags = `SELECT unnest(d.tags) AS tag FROM ${t.devices} d WHERE d.application = $1 AND d.status = 'active'
      UNION ALL
      SELECT unnest(r.tags) AS tag FROM ${t.recipients} r WHERE r.application = $1 AND r.status = 'active'`;
    const search = query.search ?? null;
    const rows = await queryRows<{ tag: string; device_count: number }>(
      this.dataSource,
      `SELECT t.tag, count(*)::int AS device_count FROM (${tags}) t
        WHERE $2::text IS NULL OR strpos(lower(t.tag), lower($2::text)) > 0
        GROUP BY t.tag ORDER BY t.tag COLLATE "C" OFFSET $3 LIMIT $4`,
      [application, search, query.skip, query.limit],
    );
    const [{ count }] = await queryRows<{ count: number }>(
      this.dataSource,
      `SELECT count(DISTINCT t.tag)::int AS count FROM (${tags}) t WHERE $2::text IS NULL OR strpos(lower(t.tag), lower($2::text)) > 0`,
      [application, search],
    );
    return { tags: rows.map((row) => ({ tag: row.tag, deviceCount: row.device_count })), count };
  }
}
