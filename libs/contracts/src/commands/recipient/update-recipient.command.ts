import { RecipientChanges } from './register-recipient.command';

export const UPDATE_RECIPIENT = 'recipient.update';

/**
 * Change an existing email contact or SMS number (PUT /email/{deviceID}, PUT /sms/{deviceID}):
 * language, region, country, time zone, user, user data, tags (added), verification. Absent
 * fields stay, null clears. The address cannot change: another address is another contact
 * (deactivate this one, register the other). Topic: recipient.commands, aggregate: the recipient id.
 */
export class UpdateRecipientPayload extends RecipientChanges {}
