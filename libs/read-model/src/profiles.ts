import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { PreparedStatement, queryPrepared } from '@omni/persistence';
import { READ_MODEL_TABLES as t } from './tables';

/** One row per profile: the user and, as JSON arrays, the channels it shows (timestamps formatted by `iso`). */
interface ProfileRow {
  /** Grows with every change to the profile (the version of its latest snapshot). */
  version: string | null;
  user_id: string;
  user_name: string | null;
  status: string;
  user_data: Record<string, unknown>;
  created_at: string;
  updated_at: string;
  devices: DeviceRow[];
  recipients: RecipientRow[];
}

interface DeviceRow {
  device_id: string;
  platform: string;
  transport: string;
  properties: Record<string, unknown>;
  tags: string[];
  status: string;
  created_at: string;
  updated_at: string;
}

interface RecipientRow {
  recipient_id: string;
  channel: 'email' | 'sms';
  address: string;
  properties: Record<string, unknown>;
  tags: string[];
  status: string;
  verification: string;
  created_at: string;
  updated_at: string;
}

/** An email contact or SMS number as it appears in a profile. */
export interface ProfileRecipient {
  deviceID: string;
  email?: string;
  phone?: string;
  tags: string[];
  active: boolean;
  verification: string;
  createdAt: string;
  updatedAt: string;
  [property: string]: unknown;
}

/** A push device as it appears in a profile. */
export interface ProfileDevice {
  deviceID: string;
  platform: string;
  transport: string;
  tags: string[];
  active: boolean;
  createdAt: string;
  updatedAt: string;
  [property: string]: unknown;
}

/** The unified profile: one user, all of their channels, and the data every channel carries. */
export interface UnifiedProfile {
  userID: string;
  userName: string | null;
  active: boolean;
  userData: Record<string, unknown>;
  channels: { push: ProfileDevice[]; email: ProfileRecipient[]; sms: ProfileRecipient[] };
  /** ISO 8601 in UTC with milliseconds, as `Date.toJSON` writes it. */
  createdAt: string;
  updatedAt: string;
  /** Grows with every change to the profile; the same number as the profile's latest snapshot. */
  version: number;
}

/**
 * A timestamptz as `Date.toJSON` writes it (`2026-01-02T03:04:05.678Z`: UTC, microseconds cut to
 * milliseconds as the driver does when it parses one into a Date). PostgreSQL formats it for about
 * nothing; parsing Dates and writing them back was a good part of the gateway's work per read.
 * Fixed width (years 1 to 9999), so these strings sort as the instants do.
 */
const iso = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * The whole profile in one prepared statement: one pool checkout, one round trip and no planning
 * per read (three unnamed statements, each parsed and planned, were most of a read's cost). The
 * channels come as JSON arrays. Every column's type is pinned by a cast (see queryPrepared).
 */
const PROFILE_STATEMENT: PreparedStatement = {
  name: 'read-model-profile',
  text: `
  SELECT u.user_id::text, u.user_name::text, u.status::text, u.user_data::jsonb,
         ${iso('u.created_at')} AS created_at, ${iso('u.updated_at')} AS updated_at, v.version::bigint,
         (SELECT COALESCE(json_agg(json_build_object(
                   'device_id', d.device_id, 'platform', d.platform, 'transport', d.transport, 'properties', d.properties,
                   'tags', d.tags, 'status', d.status, 'created_at', ${iso('d.created_at')}, 'updated_at', ${iso('d.updated_at')})
                   ORDER BY d.created_at, d.device_id), '[]')::json
            FROM ${t.devices} d
           WHERE d.application = $1 AND d.user_id = $2 AND d.status = 'active') AS devices,
         -- Active contacts, and those waiting for their verification (shown as not active).
         (SELECT COALESCE(json_agg(json_build_object(
                   'recipient_id', r.recipient_id, 'channel', r.channel, 'address', r.address, 'properties', r.properties,
                   'tags', r.tags, 'status', r.status, 'verification', r.verification,
                   'created_at', ${iso('r.created_at')}, 'updated_at', ${iso('r.updated_at')})
                   ORDER BY r.created_at, r.recipient_id), '[]')::json
            FROM ${t.recipients} r
           WHERE r.application = $1 AND r.user_id = $2 AND (r.status = 'active' OR r.verification = 'pending')) AS recipients
    FROM ${t.users} u
    LEFT JOIN ${t.profileVersions} v ON v.application = u.application AND v.user_id = u.user_id
   WHERE u.application = $1 AND u.user_id = $2`,
};

/** A user's unified profile, from the read model (tenant-scoped). */
@Injectable()
export class ProfileReads {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  async find(application: string, userId: string): Promise<UnifiedProfile | undefined> {
    const [user] = await queryPrepared<ProfileRow>(this.dataSource, PROFILE_STATEMENT, [application, userId]);
    if (!user) return undefined;
    const devices = user.devices.map((device): ProfileDevice => ({
      deviceID: device.device_id,
      platform: device.platform,
      transport: device.transport,
      ...device.properties,
      tags: device.tags,
      active: device.status === 'active',
      createdAt: device.created_at,
      updatedAt: device.updated_at,
    }));
    const contact = (row: RecipientRow): ProfileRecipient => ({
      deviceID: row.recipient_id,
      [row.channel === 'email' ? 'email' : 'phone']: row.address,
      ...row.properties,
      tags: row.tags,
      active: row.status === 'active',
      verification: row.verification,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    });
    const email = user.recipients.filter((row) => row.channel === 'email').map(contact);
    const sms = user.recipients.filter((row) => row.channel === 'sms').map(contact);
    // The latest change of the user or of a channel shown.
    const updatedAt = [...devices, ...email, ...sms].reduce((latest, channel) => (channel.updatedAt > latest ? channel.updatedAt : latest), user.updated_at);
    return {
      userID: user.user_id,
      userName: user.user_name,
      active: user.status === 'active',
      userData: user.user_data,
      channels: { push: devices, email, sms },
      createdAt: user.created_at,
      updatedAt,
      version: Number(user.version ?? 0),
    };
  }
}
