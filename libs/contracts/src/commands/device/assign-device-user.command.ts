import { IsIn, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { COMMAND_CREDENTIALS, CommandCredential, DEVICE_USER_ID_MAX_LENGTH, DEVICE_USER_NAME_MAX_LENGTH } from './device-fields';

export const ASSIGN_DEVICE_USER = 'device.assign-user';

/**
 * Attach a device to a user (PUT /device/{deviceID}/user), moving it from its previous user if
 * it had one. Topic: device.commands, aggregate: the deviceID.
 */
export class AssignDeviceUserPayload {
  @IsString()
  @MinLength(1)
  @MaxLength(DEVICE_USER_ID_MAX_LENGTH)
  userID!: string;

  /** Absent = null. */
  @IsOptional()
  @IsString()
  @MaxLength(DEVICE_USER_NAME_MAX_LENGTH)
  userName?: string | null;

  /** Filled in by the gateway; absent counts as `sdk` (the restricted one). */
  @IsOptional()
  @IsIn(COMMAND_CREDENTIALS)
  credential?: CommandCredential;
}
