import { IsIn, IsOptional } from 'class-validator';
import { COMMAND_CREDENTIALS, CommandCredential } from './device-fields';

export const CLEAR_DEVICE_TAGS = 'device.clear-tags';

/** Remove every tag of a device (PUT /device/{deviceID}/cleartags). Topic: device.commands, aggregate: the deviceID. */
export class ClearDeviceTagsPayload {
  /** Who asked (filled in by the gateway); any credential may clear tags. */
  @IsOptional()
  @IsIn(COMMAND_CREDENTIALS)
  credential?: CommandCredential;
}
