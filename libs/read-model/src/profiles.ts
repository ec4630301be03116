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

/** A profile's columns, of the user `u` (the channels as JSON arrays, timestamps formatted by `iso`). */
const PROFILE_COLUMNS = `u.user_id::text, u.user_name::text, u.status::text, u.user_data::jsonb,
         ${iso('u.created_at')} AS created_at, ${iso('u.updated_at')} AS updated_at, v.version::bigint,
         (SELECT COALESCE(json_agg(json_build_object(
                   'device_id', d.device_id, 'platform', d.platform, 'transport', d.transport, 'properties', d.properties,
                   'tags', d.tags, 'status', d.status, 'created_at', ${iso('d.created_at')}, 'updated_at', ${iso('d.updated_at')})
                   ORDER BY d.created_at, d.device_id), '[]')::json
            FROM ${t.devices} d
           WHERE d.application = u.application AND d.user_id = u.user_id AND d.status = 'active') AS devices,
         -- Active contacts, and those waiting for their verification (shown as not active).
         (SELECT COALESCE(json_agg(json_build_object(
                   'recipient_id', r.recipient_id, 'channel', r.channel, 'address', r.address, 'properties', r.properties,
                   'tags', r.tags, 'status', r.status, 'verification', r.verification,
                   'created_at', ${iso('r.created_at')}, 'updated_at', ${iso('r.updated_at')})
                   ORDER BY r.created_at, r.recipient_id), '[]')::json
            FROM ${t.recipients} r
           WHERE r.application = u.application AND r.user_id = u.user_id AND (r.status = 'active' OR r.verification = 'pending')) AS recipients`;

/**
 * A whole profile in one prepared statement: one pool checkout, one round trip and no planning per
 * read (three unnamed statements, each parsed and planned, were most of a read's cost). Every
 * column's type is pinned by a cast (see queryPrepared).
 */
const PROFILE_STATEMENT: PreparedStatement = {
  name: 'read-model-profile',
  text: `SELECT ${PROFILE_COLUMNS}
    FROM ${t.users} u
    LEFT JOIN ${t.profileVersions} v ON v.application = u.application AND v.user_id = u.user_id
   WHERE u.application = $1 AND u.user_id = $2`,
};

/**
 * Several profiles in one statement, each of the (application, userID) pairs of $1 and $2 looked up
 * by its key: a LATERAL subquery that OFFSET 0 keeps from being flattened into a join, so an index
 * lookup per pair, whatever the plan guesses of the arrays' length.
 */
const PROFILES_STATEMENT: PreparedStatement = {
  name: 'read-model-profiles',
  text: `SELECT ${PROFILE_COLUMNS}, u.application::text
    FROM unnest($1::text[], $2::text[]) AS q(application, user_id)
    CROSS JOIN LATERAL (SELECT * FROM ${t.users} WHERE application = q.application AND user_id = q.user_id OFFSET 0) u
    LEFT JOIN ${t.profileVersions} v ON v.application = u.application AND v.user_id = u.user_id`,
};

/** Most profiles read by one statement. */
const MAX_BATCH = 64;

interface PendingRead {
  application: string;
  userId: string;
  resolve: (row: ProfileRow | undefined) => void;
  reject: (error: unknown) => void;
}

/**
 * A user's unified profile, from the read model (tenant-scoped). The reads that arrive in one turn
 * of the event loop go to PostgreSQL as one statement: under load, one round trip and one
 * execution serve several requests; alone, a read waits for nothing.
 */
@Injectable()
export class ProfileReads {
  private pending: PendingRead[] = [];

  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  async find(application: string, userId: string): Promise<UnifiedProfile | undefined> {
    const row = await new Promise<ProfileRow | undefined>((resolve, reject) => {
      this.pending.push({ application, userId, resolve, reject });
      if (this.pending.length === 1) setImmediate(() => this.readPending());
    });
    return row && toProfile(row);
  }

  private readPending(): void {
    const reads = this.pending;
    this.pending = [];
    for (let from = 0; from < reads.length; from += MAX_BATCH) {
      const batch = reads.slice(from, from + MAX_BATCH);
      this.read(batch).then(
        (rows) => batch.forEach((read, index) => read.resolve(rows[index])),
        (error: unknown) => batch.forEach((read) => read.reject(error)),
      );
    }
  }

  /** The rows of these reads, in their order (undefined: no such user). */
  private async read(batch: PendingRead[]): Promise<(ProfileRow | undefined)[]> {
    if (batch.length === 1) return queryPrepared<ProfileRow>(this.dataSource, PROFILE_STATEMENT, [batch[0].application, batch[0].userId]);
    const rows = await queryPrepared<ProfileRow & { application: string }>(this.dataSource, PROFILES_STATEMENT, [
      batch.map((read) => read.application),
      batch.map((read) => read.userId),
    ]);
    const byKey = new Map(rows.map((row) => [`${row.application}\u0000${row.user_id}`, row]));
    return batch.map((read) => byKey.get(`${read.application}\u0000${read.userId}`));
  }
}

function toProfile(user: ProfileRow): UnifiedProfile {
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
