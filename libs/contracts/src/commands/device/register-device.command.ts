import { IsIn, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import {
  COMMAND_CREDENTIALS,
  CommandCredential,
  DEVICE_ID_MAX_LENGTH,
  DEVICE_PLATFORMS,
  DEVICE_TRANSPORTS,
  DEVICE_USER_ID_MAX_LENGTH,
  DEVICE_USER_NAME_MAX_LENGTH,
  DevicePlatform,
  DeviceProperties,
  DeviceTransport,
} from './device-fields';

export const REGISTER_DEVICE = 'device.register';

/**
 * Register a device, new or known (POST /device). A known device is updated; a deactivated one
 * is reactivated. With `oldDeviceID` (the device's previous push token) the old device's user,
 * tags and user data move to this deviceID and the old one is marked replaced.
 * Topic: device.commands, aggregate: the deviceID. The device properties are flat, as in the API body.
 */
export class RegisterDevicePayload extends DeviceProperties {
  @IsIn(DEVICE_PLATFORMS)
  platform!: DevicePlatform;

  /** Absent: `Notificare` for a new device, unchanged for a known one. */
  @IsOptional()
  @IsIn(DEVICE_TRANSPORTS)
  transport?: DeviceTransport;

  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(DEVICE_ID_MAX_LENGTH)
  oldDeviceID?: string | null;

  /**
   * Absent: the device keeps its user. A string: the device belongs to that user. Null: the device
   * becomes anonymous (ignored for SDK credentials when user registration is restricted to the API).
   */
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(DEVICE_USER_ID_MAX_LENGTH)
  userID?: string | null;

  /** Only read together with a userID (absent = null). */
  @IsOptional()
  @IsString()
  @MaxLength(DEVICE_USER_NAME_MAX_LENGTH)
  userName?: string | null;

  /** Filled in by the gateway; absent counts as `sdk` (the restricted one). */
  @IsOptional()
  @IsIn(COMMAND_CREDENTIALS)
  credential?: CommandCredential;
}
