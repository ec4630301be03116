import { EntityManager } from 'typeorm';
import { DeviceChannelState } from '@omni/contracts';
import { Projection } from '../projection';

/**
 * Set a device's row to a whole state: a registration's, or the one an owner change carries (ADR
 * 0009, "Owner changes re-seal the channel's state"), creating the row when the events before could
 * not be opened, since they were sealed for an owner since erased. Its createdAt is the first
 * event's that created it.
 */
export async function upsertDevice(
  projection: Projection,
  em: EntityManager,
  row: { application: string; deviceId: string; userId: string | null; userName: string | null; time: string },
  state: DeviceChannelState,
): Promise<void> {
  await em.query(
    `INSERT INTO ${projection.tables.devices}
       (application, device_id, user_id, user_name, platform, transport, properties, tags, user_data, status, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9::jsonb, $10, $11, $11)
     ON CONFLICT (application, device_id) DO UPDATE SET
       user_id = EXCLUDED.user_id, user_name = EXCLUDED.user_name, platform = EXCLUDED.platform,
       transport = EXCLUDED.transport, properties = EXCLUDED.properties, tags = EXCLUDED.tags,
       user_data = EXCLUDED.user_data, status = EXCLUDED.status, updated_at = EXCLUDED.updated_at`,
    [
      row.application,
      row.deviceId,
      row.userId,
      row.userName,
      state.platform,
      state.transport,
      JSON.stringify(state.properties),
      state.tags,
      JSON.stringify(state.userData),
      state.status,
      row.time,
    ],
  );
}
