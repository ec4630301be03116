import { ArrayMaxSize, ArrayMinSize, IsArray } from 'class-validator';
import { IsTag, TAGS_PER_COMMAND_MAX } from '../device/device-fields';

export const REMOVE_RECIPIENT_TAGS = 'recipient.remove-tags';

/**
 * Remove tags from an email contact or SMS number (PUT /email/{deviceID}/removetags,
 * /sms/{deviceID}/removetags); tags it does not have are ignored.
 * Topic: recipient.commands, aggregate: the recipient id.
 */
export class RemoveRecipientTagsPayload {
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(TAGS_PER_COMMAND_MAX)
  @IsTag()
  tags!: string[];
}
