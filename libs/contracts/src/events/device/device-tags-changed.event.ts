import { IsArray } from 'class-validator';
import { IsTag } from '../../commands/device/device-fields';

export const DEVICE_TAGS_CHANGED = 'device.tags-changed';

/** A device's tags changed: the full tag list after the change. Topic: device.events, aggregate: the deviceID. */
export class DeviceTagsChangedPayload {
  @IsArray()
  @IsTag()
  tags!: string[];
}
