import { IsIn, IsOptional } from 'class-validator';
import { COMMAND_CREDENTIALS, CommandCredential } from './device-fields';

export const REMOVE_DEVICE_USER = 'device.remove-user';

/** Detach a device from its user (DELETE /device/{deviceID}/user). Topic: device.commands, aggregate: the deviceID. */
export class RemoveDeviceUserPayload {
  /** Filled in by the gateway; absent counts as `sdk` (the restricted one). */
  @IsOptional()
  @IsIn(COMMAND_CREDENTIALS)
  credential?: CommandCredential;
}
