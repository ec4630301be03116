import { Type } from 'class-transformer';
import { IsArray, IsIn, IsObject, IsOptional, IsString, MaxLength, ValidateNested } from 'class-validator';
import {
  DEVICE_ID_MAX_LENGTH,
  DEVICE_PLATFORMS,
  DEVICE_TRANSPORTS,
  DEVICE_USER_ID_MAX_LENGTH,
  DEVICE_USER_NAME_MAX_LENGTH,
  DevicePlatform,
  DeviceProperties,
  DeviceTransport,
  IsTag,
  IsUserDataMap,
} from '../../commands/device/device-fields';

export const DEVICE_REGISTERED = 'device.registered';

/**
 * A device came into existence, or came back after it was deactivated or replaced. It carries
 * the device's whole state at that version (a reactivated device starts over from it).
 * Topic: device.events, aggregate: the deviceID.
 */
export class DeviceRegisteredPayload {
  @IsIn(DEVICE_PLATFORMS)
  platform!: DevicePlatform;

  @IsIn(DEVICE_TRANSPORTS)
  transport!: DeviceTransport;

  @IsObject()
  @ValidateNested()
  @Type(() => DeviceProperties)
  properties!: DeviceProperties;

  /** The user the device belongs to, or null when anonymous. */
  @IsOptional()
  @IsString()
  @MaxLength(DEVICE_USER_ID_MAX_LENGTH)
  userID!: string | null;

  @IsOptional()
  @IsString()
  @MaxLength(DEVICE_USER_NAME_MAX_LENGTH)
  userName!: string | null;

  @IsArray()
  @IsTag()
  tags!: string[];

  /** Device-level user data (of an anonymous device). */
  @IsUserDataMap(false)
  userData!: Record<string, string | number | boolean>;

  /** The device this one replaces (its user, tags and user data moved here), or null. */
  @IsOptional()
  @IsString()
  @MaxLength(DEVICE_ID_MAX_LENGTH)
  oldDeviceID!: string | null;
}
