import { EntityManager } from 'typeorm';
import { DeviceChannelState } from '@omni/contracts';
import { Projection } from '../projection';

/**
 * Set a device's row to a whole state: a registration's, or the one an owner change carries (ADR
 * 0009, "Owner changes re-seal the channel's state"), creating the row when the events before could
 * not be opened, since they were sealed for an owner since erased. Its createdAt is the first
 * event's that created it.
 */
export function upsertDevice(
  projection: Projection,
  em: EntityManager,
  row: { application: string; deviceId: string; userId: string | null; userName: string | null; time: string },
  state: DeviceChannelState,
): Promise<void> {
  return projection.devices.put(em, {
    application: row.application,
    device_id: row.deviceId,
    user_id: row.userId,
    user_name: row.userName,
    platform: state.platform,
    transport: state.transport,
    properties: { ...state.properties },
    tags: state.tags,
    user_data: state.userData,
    status: state.status,
    created_at: row.time,
    updated_at: row.time,
  });
}

/** What a device keeps of its user once the user is erased: none of their data, nor where it was. */
export function withoutUser(properties: Record<string, unknown>): Record<string, unknown> {
  const kept = { ...properties };
  for (const key of USER_LOCATION) delete kept[key];
  return kept;
}

const USER_LOCATION = ['location', 'locationAccuracy', 'altitude'] as const;
