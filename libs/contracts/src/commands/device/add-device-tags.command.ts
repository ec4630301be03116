import { ArrayMaxSize, ArrayMinSize, IsArray } from 'class-validator';
import { IsTag, TAGS_PER_COMMAND_MAX } from './device-fields';

export const ADD_DEVICE_TAGS = 'device.add-tags';

/**
 * Add tags to a device (PUT /device/{deviceID}/addtag, /addtags); tags it has already stay once.
 * Topic: device.commands, aggregate: the deviceID.
 */
export class AddDeviceTagsPayload {
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(TAGS_PER_COMMAND_MAX)
  @IsTag()
  tags!: string[];
}
