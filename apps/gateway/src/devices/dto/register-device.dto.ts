import { OmitType } from '@nestjs/mapped-types';
import { IsOptional } from 'class-validator';
import { RegisterDevicePayload } from '@omni/contracts';
import { IsDeviceId, IsUserId } from './identifiers';
import { requireLocationObject } from './update-device.dto';

/**
 * POST /device: the device.register payload as the SDK sends it (platform, transport, the device
 * properties, oldDeviceID, userID, userName), plus the deviceID. The credential is the gateway's to
 * fill in. `userID` absent keeps the device's user, null makes it anonymous.
 */
export class RegisterDeviceDto extends OmitType(RegisterDevicePayload, ['credential', 'oldDeviceID', 'userID'] as const) {
  @IsDeviceId()
  deviceID!: string;

  @IsOptional()
  @IsDeviceId()
  oldDeviceID?: string | null;

  @IsOptional()
  @IsUserId()
  userID?: string | null;
}

requireLocationObject(RegisterDeviceDto);
