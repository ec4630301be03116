import { IsIn, IsOptional } from 'class-validator';
import { COMMAND_CREDENTIALS, CommandCredential } from '../../user-data';

export const ERASE_DEVICE_USER = 'device.erase-user';

/**
 * Make every device of a user anonymous, as part of erasing the user: each device emits
 * `device.user-erased`. Topic: device.commands, aggregate: the user's userID (not a device id:
 * the command is about all of the user's devices).
 */
export class EraseDeviceUserPayload {
  /** Who asked (filled in by the gateway). */
  @IsOptional()
  @IsIn(COMMAND_CREDENTIALS)
  credential?: CommandCredential;
}
