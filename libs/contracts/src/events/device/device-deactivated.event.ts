import { IsOptional, IsString, MaxLength } from 'class-validator';
import { DEVICE_USER_ID_MAX_LENGTH } from '../../commands/device/device-fields';

export const DEVICE_DEACTIVATED = 'device.deactivated';

/**
 * A device was deactivated: it stays readable, inactive, keeping its user, tags and user data
 * until it registers again. Topic: device.events, aggregate: the deviceID.
 */
export class DeviceDeactivatedPayload {
  /** The user the (now inactive) device still belongs to, or null. */
  @IsOptional()
  @IsString()
  @MaxLength(DEVICE_USER_ID_MAX_LENGTH)
  userID!: string | null;
}
