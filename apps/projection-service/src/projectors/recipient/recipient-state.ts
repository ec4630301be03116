import { EntityManager } from 'typeorm';
import { RecipientChannelState } from '@omni/contracts';
import { Projection } from '../projection';

/**
 * Set a contact's row to a whole state: a registration's, or the one an owner change carries (ADR
 * 0009, "Owner changes re-seal the channel's state"), creating the row when the events before could
 * not be opened (its recipient.registered, sealed for an owner since erased, is dropped), with the
 * createdAt the state says it began at. An existing row keeps its createdAt.
 */
export function upsertRecipient(
  projection: Projection,
  em: EntityManager,
  row: { application: string; recipientId: string; userId: string | null; userName: string | null; time: string },
  state: RecipientChannelState,
): Promise<void> {
  return projection.recipients.put(em, {
    application: row.application,
    recipient_id: row.recipientId,
    channel: state.channel,
    address: state.address,
    user_id: row.userId,
    user_name: row.userName,
    properties: { ...state.properties },
    tags: state.tags,
    user_data: state.userData,
    status: state.status,
    verification: state.verification,
    created_at: state.createdAt ?? row.time,
    updated_at: row.time,
  });
}
