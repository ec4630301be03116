import { PipeTransform } from '@nestjs/common';
import { isApplicationKey } from '../auth/credentials';
import { ApiError } from '../errors/api-error';

/**
 * `{applicationKey}` of the admin routes: a string that cannot be a key names no application, and
 * answers as an unknown key does (404), without a database round trip — PostgreSQL cannot even
 * compare a string that holds NUL.
 */
export class ApplicationKeyPipe implements PipeTransform<unknown, string> {
  transform(value: unknown): string {
    if (typeof value !== 'string' || !isApplicationKey(value)) throw new ApiError(404, 'APPLICATION_NOT_FOUND', 'application not found');
    return value;
  }
}
