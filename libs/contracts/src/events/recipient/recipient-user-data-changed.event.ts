import { IsUserDataMap } from '../../user-data';

export const RECIPIENT_USER_DATA_CHANGED = 'recipient.user-data-changed';

/**
 * The contact-level user data of an email contact or SMS number changed: the full user data after
 * the change (a cleared field is absent). Topic: recipient.events, aggregate: the recipient id.
 */
export class RecipientUserDataChangedPayload {
  @IsUserDataMap(false)
  userData!: Record<string, string | number | boolean>;
}
