import { PipeTransform } from '@nestjs/common';
import { ApiError } from '../errors/api-error';

/** A userID is the business's own identifier: 1–256 characters, no control characters. */
export class UserIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (typeof value !== 'string' || value.length === 0 || value.length > 256 || /[\u0000-\u001f\u007f]/.test(value)) {
      throw new ApiError(400, 'VALIDATION_FAILED', 'invalid userID', [
        { field: 'userID', message: 'must be 1 to 256 characters without control characters' },
      ]);
    }
    return value;
  }
}
