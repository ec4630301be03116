import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

interface UserRow {
  /** Grows with every change to the profile (the version of its latest snapshot). */
  version: string | null;
  user_id: string;
  user_name: string | null;
  status: string;
  user_data: Record<string, unknown>;
  created_at: Date;
  updated_at: Date;
}

interface DeviceRow {
  device_id: string;
  platform: string;
  transport: string;
  properties: Record<string, unknown>;
  tags: string[];
  status: string;
  created_at: Date;
  updated_at: Date;
}

interface RecipientRow {
  recipient_id: string;
  channel: 'email' | 'sms';
  address: string;
  properties: Record<string, unknown>;
  tags: string[];
  status: string;
  verification: string;
  created_at: Date;
  updated_at: Date;
}

/** An email contact or SMS number as it appears in a profile. */
export interface ProfileRecipient {
  deviceID: string;
  email?: string;
  phone?: string;
  tags: string[];
  active: boolean;
  verification: string;
  [property: string]: unknown;
}

/** A push device as it appears in a profile. */
export interface ProfileDevice {
  deviceID: string;
  platform: string;
  transport: string;
  tags: string[];
  active: boolean;
  [property: string]: unknown;
}

/** The unified profile: one user, all of their channels, and the data every channel carries. */
export interface UnifiedProfile {
  userID: string;
  userName: string | null;
  active: boolean;
  userData: Record<string, unknown>;
  channels: { push: ProfileDevice[]; email: ProfileRecipient[]; sms: ProfileRecipient[] };
  createdAt: Date;
  updatedAt: Date;
  /** Grows with every change to the profile; the same number as the profile's latest snapshot. */
  version: number;
}

/** Reads a user's unified profile from the read model (tenant-scoped). */
@Injectable()
export class ProfileQuery {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  async find(application: string, userId: string): Promise<UnifiedProfile | undefined> {
    const [users, devices, recipients]: [UserRow[], DeviceRow[], RecipientRow[]] = await Promise.all([
      this.dataSource.query(
        `SELECT u.user_id, u.user_name, u.status, u.user_data, u.created_at, u.updated_at, v.version
           FROM projection.users u
           LEFT JOIN projection.profile_versions v ON v.application = u.application AND v.user_id = u.user_id
          WHERE u.application = $1 AND u.user_id = $2`,
        [application, userId],
      ),
      this.dataSource.query(
        `SELECT device_id, platform, transport, properties, tags, status, created_at, updated_at FROM projection.devices
          WHERE application = $1 AND user_id = $2 AND status = 'active' ORDER BY created_at, device_id`,
        [application, userId],
      ),
      // Active contacts, and those waiting for their verification (shown as not active).
      this.dataSource.query(
        `SELECT recipient_id, channel, address, properties, tags, status, verification, created_at, updated_at
           FROM projection.recipients
          WHERE application = $1 AND user_id = $2 AND (status = 'active' OR verification = 'pending')
          ORDER BY created_at, recipient_id`,
        [application, userId],
      ),
    ]);
    const user = users[0];
    if (!user) return undefined;
    const updatedAt = [user.updated_at, ...devices.map((d) => d.updated_at), ...recipients.map((r) => r.updated_at)].reduce(
      (a, b) => (a > b ? a : b),
    );
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
    return {
      userID: user.user_id,
      userName: user.user_name,
      active: user.status === 'active',
      userData: user.user_data,
      channels: {
        push: devices.map((device) => ({
          deviceID: device.device_id,
          platform: device.platform,
          transport: device.transport,
          ...device.properties,
          tags: device.tags,
          active: device.status === 'active',
          createdAt: device.created_at,
          updatedAt: device.updated_at,
        })),
        email: recipients.filter((row) => row.channel === 'email').map(contact),
        sms: recipients.filter((row) => row.channel === 'sms').map(contact),
      },
      createdAt: user.created_at,
      updatedAt,
      version: Number(user.version ?? 0),
    };
  }
}
