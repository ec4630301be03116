import { Type } from 'class-transformer';
import { IsObject, IsOptional, IsString, MaxLength, MinLength, ValidateNested } from 'class-validator';
import { DEVICE_USER_ID_MAX_LENGTH, DEVICE_USER_NAME_MAX_LENGTH } from '../../commands/device/device-fields';
import { DeviceChannelState } from './device-channel-state';

export const DEVICE_USER_ASSIGNED = 'device.user-assigned';

/**
 * A device now belongs to a user (or its userName changed). Topic: device.events, aggregate: the deviceID.
 */
export class DeviceUserAssignedPayload {
  @IsString()
  @MinLength(1)
  @MaxLength(DEVICE_USER_ID_MAX_LENGTH)
  userID!: string;

  @IsOptional()
  @IsString()
  @MaxLength(DEVICE_USER_NAME_MAX_LENGTH)
  userName!: string | null;

  /**
   * The user the device belonged to before: another userID when it moved, the same userID when
   * only the userName changed, null when it was anonymous.
   */
  @IsOptional()
  @IsString()
  @MaxLength(DEVICE_USER_ID_MAX_LENGTH)
  previousUserID!: string | null;

  /**
   * The device's whole state at this version, sealed for its new user: a reader sets the device to
   * it (ADR 0009, "Owner changes re-seal the channel's state"). Absent in events recorded before it
   * was added.
   */
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => DeviceChannelState)
  state?: DeviceChannelState;
}
