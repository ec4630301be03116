import { IsIn, IsOptional } from 'class-validator';
import { COMMAND_CREDENTIALS, CommandCredential, IsUserDataMap, UserDataMap } from './device-fields';

export const OVERRIDE_DEVICE_USER_DATA = 'device.override-user-data';

/**
 * Set user data on an anonymous device (PUT /device/{deviceID}/userdata,
 * /device/{deviceID}/userdata/override). The given fields replace their values, null clears a
 * field, the others stay. Keys and value types are checked against the application's user data
 * fields by the device-service. The user data of a device that belongs to a user is the user's:
 * the gateway sends it to the profile-service. Topic: device.commands, aggregate: the deviceID.
 */
export class OverrideDeviceUserDataPayload {
  @IsUserDataMap(true)
  userData!: UserDataMap;

  /** Filled in by the gateway; absent counts as `sdk` (the restricted one). */
  @IsOptional()
  @IsIn(COMMAND_CREDENTIALS)
  credential?: CommandCredential;
}
