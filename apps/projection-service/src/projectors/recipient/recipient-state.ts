import { EntityManager } from 'typeorm';
import { RecipientChannelState } from '@omni/contracts';
import { Projection } from '../projection';

/**
 * Set a contact's row to a whole state: a registration's, or the one an owner change carries (ADR
 * 0009, "Owner changes re-seal the channel's state"), creating the row when the events before could
 * not be opened (its recipient.registered, sealed for an owner since erased, is dropped), with the
 * createdAt the state says it began at. An existing row keeps its createdAt.
 */
export async function upsertRecipient(
  projection: Projection,
  em: EntityManager,
  row: { application: string; recipientId: string; userId: string | null; userName: string | null; time: string },
  state: RecipientChannelState,
): Promise<void> {
  await em.query(
    `INSERT INTO ${projection.tables.recipients}
       (application, recipient_id, channel, address, user_id, user_name, properties, tags, user_data, status, verification, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9::jsonb, $10, $11, $12, $13)
     ON CONFLICT (application, recipient_id) DO UPDATE SET
       channel = EXCLUDED.channel, address = EXCLUDED.address, user_id = EXCLUDED.user_id, user_name = EXCLUDED.user_name,
       properties = EXCLUDED.properties, tags = EXCLUDED.tags, user_data = EXCLUDED.user_data, status = EXCLUDED.status,
       verification = EXCLUDED.verification, updated_at = EXCLUDED.updated_at`,
    [
      row.application,
      row.recipientId,
      state.channel,
      state.address,
      row.userId,
      row.userName,
      JSON.stringify(state.properties),
      state.tags,
      JSON.stringify(state.userData),
      state.status,
      state.verification,
      state.createdAt ?? row.time,
      row.time,
    ],
  );
}
