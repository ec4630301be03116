import { IsIn, IsOptional } from 'class-validator';
import { COMMAND_CREDENTIALS, CommandCredential } from './device-fields';

export const DEACTIVATE_DEVICE = 'device.deactivate';

/**
 * Deactivate a device (DELETE /device/{deviceID}): it stays readable, inactive, until it
 * registers again. Topic: device.commands, aggregate: the deviceID.
 */
export class DeactivateDevicePayload {
  /** Who asked (filled in by the gateway); any credential may deactivate a device. */
  @IsOptional()
  @IsIn(COMMAND_CREDENTIALS)
  credential?: CommandCredential;
}
