import { DEVICE_PROPERTY_KEYS, DeviceProperties } from '@omni/contracts';

/** A row of the read model's devices, with the user data the device answers with. */
export interface DeviceRow {
  medium: 'push' | 'email' | 'sms';
  device_id: string;
  /** The email address or E.164 phone number of a recipient (null for push devices). */
  address: string | null;
  user_id: string | null;
  user_name: string | null;
  platform: string;
  transport: string;
  properties: Record<string, unknown> | null;
  tags: string[] | null;
  /** The user's data when the device has a user, else the device's own. */
  user_data: Record<string, unknown> | null;
  status: 'active' | 'inactive';
  created_at: Date;
  updated_at: Date;
}

/** The columns of DeviceRow, selected from DEVICE_FROM (`devices d LEFT JOIN users u`). */
export const DEVICE_COLUMNS = `'push'::text AS medium, d.device_id, NULL::text AS address, d.user_id, d.user_name, d.platform, d.transport,
  d.properties, d.tags,
  CASE WHEN d.user_id IS NULL THEN d.user_data ELSE COALESCE(u.user_data, '{}'::jsonb) END AS user_data,
  d.status, d.created_at, d.updated_at`;

/**
 * The same columns for email contacts and SMS numbers (RECIPIENT_FROM, `recipients r`), as the
 * reference lists them among a user's devices: platform and transport `Email` or `SMS`.
 */
export function recipientColumns(channel: 'email' | 'sms'): string {
  const name = channel === 'email' ? 'Email' : 'SMS';
  return `'${channel}'::text AS medium, r.recipient_id AS device_id, r.address, r.user_id, r.user_name,
  '${name}'::text AS platform, '${name}'::text AS transport, r.properties, r.tags,
  CASE WHEN r.user_id IS NULL THEN r.user_data ELSE COALESCE(u.user_data, '{}'::jsonb) END AS user_data,
  r.status, r.created_at, r.updated_at`;
}

type DevicePropertyValues = { [K in keyof DeviceProperties]-?: DeviceProperties[K] | null };

/**
 * The reference's DeviceModel (push API, components/schemas/DeviceModel): identity, channel,
 * user, every device property by its API name (null when the device never reported it), tags,
 * user data, state and times.
 */
export interface DeviceModel extends DevicePropertyValues {
  deviceID: string;
  application: string;
  medium: 'push' | 'email' | 'sms';
  platform: string;
  transport: string;
  /** Email contacts only. */
  email?: string;
  /** SMS numbers only (E.164). */
  phone?: string;
  userID: string | null;
  userName: string | null;
  tags: string[];
  userData: Record<string, unknown>;
  active: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export function toDeviceModel(application: string, row: DeviceRow): DeviceModel {
  const stored = row.properties ?? {};
  const properties = Object.fromEntries(DEVICE_PROPERTY_KEYS.map((key) => [key, stored[key] ?? null])) as DevicePropertyValues;
  return {
    deviceID: row.device_id,
    application,
    medium: row.medium,
    platform: row.platform,
    transport: row.transport,
    ...(row.medium === 'email' && row.address ? { email: row.address } : {}),
    ...(row.medium === 'sms' && row.address ? { phone: row.address } : {}),
    userID: row.user_id,
    userName: row.user_name,
    ...properties,
    tags: row.tags ?? [],
    userData: row.user_data ?? {},
    active: row.status === 'active',
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
