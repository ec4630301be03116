import { PipeTransform } from '@nestjs/common';
import { DEVICE_ID_MAX_LENGTH } from '@omni/contracts';
import { ApiError } from '../errors/api-error';

export const deviceNotFound = () => new ApiError(404, 'DEVICE_NOT_FOUND', 'device not found');

/** Control characters (C0, DEL, C1): never part of a deviceID, userID or tag. */
export const CONTROL_CHARACTERS = /\p{Cc}/u;

/** A deviceID in the path: a push token or web push id, 1–512 characters, no control characters. */
export class DeviceIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (typeof value !== 'string' || value.length === 0 || value.length > DEVICE_ID_MAX_LENGTH || CONTROL_CHARACTERS.test(value)) {
      throw new ApiError(400, 'VALIDATION_FAILED', 'invalid deviceID', [
        { field: 'deviceID', message: `must be 1 to ${DEVICE_ID_MAX_LENGTH} characters without control characters` },
      ]);
    }
    return value;
  }
}
