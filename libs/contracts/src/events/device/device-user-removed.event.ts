import { IsString, MaxLength, MinLength } from 'class-validator';
import { DEVICE_USER_ID_MAX_LENGTH } from '../../commands/device/device-fields';

export const DEVICE_USER_REMOVED = 'device.user-removed';

/** A device no longer belongs to a user (it is anonymous). Topic: device.events, aggregate: the deviceID. */
export class DeviceUserRemovedPayload {
  @IsString()
  @MinLength(1)
  @MaxLength(DEVICE_USER_ID_MAX_LENGTH)
  previousUserID!: string;
}
