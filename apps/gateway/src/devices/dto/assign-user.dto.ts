import { OmitType } from '@nestjs/mapped-types';
import { AssignDeviceUserPayload } from '@omni/contracts';
import { IsUserId } from './identifiers';

/** PUT /device/{deviceID}/user: `{"userID": "U123456789", "userName": "John Doe"}`. */
export class AssignDeviceUserDto extends OmitType(AssignDeviceUserPayload, ['credential', 'userID'] as const) {
  @IsUserId()
  userID!: string;
}
