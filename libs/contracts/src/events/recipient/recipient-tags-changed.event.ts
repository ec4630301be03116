import { IsArray } from 'class-validator';
import { IsTag } from '../../commands/device/device-fields';

export const RECIPIENT_TAGS_CHANGED = 'recipient.tags-changed';

/** An email contact or SMS number's tags changed: the full tag list after the change. Topic: recipient.events, aggregate: the recipient id. */
export class RecipientTagsChangedPayload {
  @IsArray()
  @IsTag()
  tags!: string[];
}
