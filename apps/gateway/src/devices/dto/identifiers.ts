import { IsString, Matches, MaxLength, MinLength, ValidationOptions } from 'class-validator';
import { DEVICE_ID_MAX_LENGTH, DEVICE_USER_ID_MAX_LENGTH } from '@omni/contracts';

const NO_CONTROL_CHARACTERS = /^[^\p{Cc}]*$/u;

function identifier(maxLength: number, options?: ValidationOptions): PropertyDecorator {
  return (target, property) => {
    IsString(options)(target, property);
    MinLength(1, options)(target, property);
    MaxLength(maxLength, options)(target, property);
    Matches(NO_CONTROL_CHARACTERS, { message: `${String(property)} must have no control characters`, ...options })(target, property);
  };
}

/** A deviceID (or oldDeviceID) in a body: 1–512 characters, no control characters (as DeviceIdPipe). */
export const IsDeviceId = (options?: ValidationOptions) => identifier(DEVICE_ID_MAX_LENGTH, options);

/** A userID in a body: 1–256 characters, no control characters (as UserIdPipe for paths). */
export const IsUserId = (options?: ValidationOptions) => identifier(DEVICE_USER_ID_MAX_LENGTH, options);
