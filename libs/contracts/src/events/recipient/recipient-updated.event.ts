import { Type } from 'class-transformer';
import { IsObject, ValidateNested } from 'class-validator';
import { RecipientProperties } from '../../commands/recipient/recipient-fields';

export const RECIPIENT_UPDATED = 'recipient.updated';

/**
 * What changed about an email contact or SMS number's properties: only the changed ones
 * (null = cleared). Topic: recipient.events, aggregate: the recipient id.
 */
export class RecipientUpdatedPayload {
  @IsObject()
  @ValidateNested()
  @Type(() => RecipientProperties)
  properties!: RecipientProperties;
}
