import { ValidationError, ValidationPipe } from '@nestjs/common';
import { flattenValidationErrors } from '@omni/contracts';
import { ApiError } from './api-error';

/** The global pipe: unknown fields stripped, types transformed, and a 400 naming every bad field. */
export function apiValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    transform: true,
    forbidUnknownValues: true,
    exceptionFactory: (errors: ValidationError[]) => {
      const fields = flattenValidationErrors(errors);
      return new ApiError(400, 'VALIDATION_FAILED', `invalid request: ${[...new Set(fields.map((f) => f.field))].join(', ')}`, fields);
    },
  });
}
