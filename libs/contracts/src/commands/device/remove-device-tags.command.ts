import { ArrayMaxSize, ArrayMinSize, IsArray } from 'class-validator';
import { IsTag, TAGS_PER_COMMAND_MAX } from './device-fields';

export const REMOVE_DEVICE_TAGS = 'device.remove-tags';

/**
 * Remove tags from a device (PUT /device/{deviceID}/removetag, /removetags); tags it does not
 * have are ignored. Topic: device.commands, aggregate: the deviceID.
 */
export class RemoveDeviceTagsPayload {
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(TAGS_PER_COMMAND_MAX)
  @IsTag()
  tags!: string[];
}
