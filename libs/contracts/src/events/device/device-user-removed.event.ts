import { Type } from 'class-transformer';
import { IsObject, IsOptional, IsString, MaxLength, MinLength, ValidateIf, ValidateNested } from 'class-validator';
import { DEVICE_USER_ID_MAX_LENGTH } from '../../commands/device/device-fields';
import { DeviceChannelState } from './device-channel-state';

export const DEVICE_USER_REMOVED = 'device.user-removed';

/** A device no longer belongs to a user (it is anonymous). Topic: device.events, aggregate: the deviceID. */
export class DeviceUserRemovedPayload {
  /**
   * The user the device belonged to. Null only as a reader sees an event with `state` once that
   * user was erased (the service always names the user).
   */
  @ValidateIf((payload: DeviceUserRemovedPayload) => payload.previousUserID !== null)
  @IsString()
  @MinLength(1)
  @MaxLength(DEVICE_USER_ID_MAX_LENGTH)
  previousUserID!: string | null;

  /**
   * The device's whole state at this version (anonymous now: in clear): a reader sets the device to
   * it (ADR 0009, "Owner changes re-seal the channel's state"). Absent in events recorded before it
   * was added.
   */
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => DeviceChannelState)
  state?: DeviceChannelState;
}
