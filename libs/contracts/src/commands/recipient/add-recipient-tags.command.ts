import { ArrayMaxSize, ArrayMinSize, IsArray } from 'class-validator';
import { IsTag, TAGS_PER_COMMAND_MAX } from '../device/device-fields';

export const ADD_RECIPIENT_TAGS = 'recipient.add-tags';

/**
 * Add tags to an email contact or SMS number (PUT /email/{deviceID}/addtags, /sms/{deviceID}/addtags);
 * tags it has already stay once. Topic: recipient.commands, aggregate: the recipient id.
 */
export class AddRecipientTagsPayload {
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(TAGS_PER_COMMAND_MAX)
  @IsTag()
  tags!: string[];
}
