import { IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { DEVICE_ID_MAX_LENGTH, DEVICE_USER_ID_MAX_LENGTH } from '../../commands/device/device-fields';

export const DEVICE_REPLACED = 'device.replaced';

/**
 * The device registered again under a new deviceID (a new push token): its user, tags and user
 * data moved to `replacedBy` (whose device.registered or change events carry them), and this
 * deviceID is inactive and empty. Topic: device.events, aggregate: the OLD deviceID.
 */
export class DeviceReplacedPayload {
  @IsString()
  @MinLength(1)
  @MaxLength(DEVICE_ID_MAX_LENGTH)
  replacedBy!: string;

  /** The user the old device belonged to, or null. */
  @IsOptional()
  @IsString()
  @MaxLength(DEVICE_USER_ID_MAX_LENGTH)
  previousUserID!: string | null;
}
