import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { PROFILE_SNAPSHOT_SCHEMA_VERSION, ProfileSnapshot } from '@omni/contracts';
import { queryRows } from '@omni/persistence';
import { ReadModel } from '../read-model/read-model.provider';

/** A snapshot before it gets its version. */
export type ComposedProfile = Omit<ProfileSnapshot, 'version'>;

/** ISO 8601 in UTC with milliseconds, as JavaScript's toISOString writes it. */
const iso = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** Channels shown in a profile: the same ones the gateway's profile route shows. */
const ACTIVE_DEVICE = `d.application = u.application AND d.user_id = u.user_id AND d.status = 'active'`;
const SHOWN_CONTACT = `r.application = u.application AND r.user_id = u.user_id AND (r.status = 'active' OR r.verification = 'pending')`;

const contacts = (channel: 'email' | 'sms') => `COALESCE((
  SELECT jsonb_agg(jsonb_build_object(
           'deviceID', r.recipient_id, 'address', r.address, 'properties', r.properties, 'tags', to_jsonb(r.tags),
           'active', r.status = 'active', 'verification', r.verification,
           'createdAt', ${iso('r.created_at')}, 'updatedAt', ${iso('r.updated_at')})
         ORDER BY r.created_at, r.recipient_id)
    FROM %RECIPIENTS% r WHERE ${SHOWN_CONTACT} AND r.channel = '${channel}'), '[]'::jsonb)`;

/**
 * Composes users' unified profiles from the read model (users, devices, recipients) with one
 * statement, inside the caller's transaction: the snapshot is exactly what that transaction sees.
 */
@Injectable()
export class ProfileSnapshotComposer {
  private readonly sql: string;
  private readonly users: string;

  constructor(model: ReadModel) {
    const t = model.tables;
    this.users = t.users;
    this.sql = `
      SELECT u.application, u.user_id, u.user_name, u.status = 'active' AS active, u.user_data,
             ${iso('u.created_at')} AS created_at,
             ${iso(`GREATEST(u.updated_at,
                     (SELECT max(d.updated_at) FROM ${t.devices} d WHERE ${ACTIVE_DEVICE}),
                     (SELECT max(r.updated_at) FROM ${t.recipients} r WHERE ${SHOWN_CONTACT}))`)} AS updated_at,
             COALESCE((
               SELECT jsonb_agg(jsonb_build_object(
                        'deviceID', d.device_id, 'platform', d.platform, 'transport', d.transport,
                        'properties', d.properties, 'tags', to_jsonb(d.tags), 'active', d.status = 'active',
                        'createdAt', ${iso('d.created_at')}, 'updatedAt', ${iso('d.updated_at')})
                      ORDER BY d.created_at, d.device_id)
                 FROM ${t.devices} d WHERE ${ACTIVE_DEVICE}), '[]'::jsonb) AS push,
             ${contacts('email')} AS email,
             ${contacts('sms')} AS sms
        FROM ${t.users} u
       WHERE u.application = $1 AND u.user_id = ANY($2::text[])
       ORDER BY u.user_id`.replace(/%RECIPIENTS%/g, t.recipients);
  }

  /** The profiles of those users that exist, ordered by userID. */
  async compose(em: EntityManager, application: string, userIds: string[]): Promise<ComposedProfile[]> {
    if (userIds.length === 0) return [];
    const rows = await queryRows<ProfileRow>(em, this.sql, [application, userIds]);
    return rows.map(toProfile);
  }

  /** Every profile of the read model (for tests and checks): application, then userID order. */
  async composeAll(em: EntityManager): Promise<ComposedProfile[]> {
    const users = await queryRows<{ application: string; user_ids: string[] }>(
      em,
      `SELECT application, array_agg(user_id ORDER BY user_id) AS user_ids FROM ${this.users} GROUP BY application ORDER BY application`,
    );
    const profiles: ComposedProfile[] = [];
    for (const { application, user_ids } of users) profiles.push(...(await this.compose(em, application, user_ids)));
    return profiles;
  }
}

interface ProfileRow {
  application: string;
  user_id: string;
  user_name: string | null;
  active: boolean;
  user_data: Record<string, unknown>;
  created_at: string;
  updated_at: string;
  push: ComposedProfile['channels']['push'];
  email: ComposedProfile['channels']['email'];
  sms: ComposedProfile['channels']['sms'];
}

function toProfile(row: ProfileRow): ComposedProfile {
  return {
    schemaVersion: PROFILE_SNAPSHOT_SCHEMA_VERSION,
    application: row.application,
    userID: row.user_id,
    userName: row.user_name,
    active: row.active,
    userData: row.user_data,
    channels: { push: row.push, email: row.email, sms: row.sms },
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
