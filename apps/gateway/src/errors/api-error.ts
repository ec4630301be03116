import { HttpException } from '@nestjs/common';
import { FieldError } from '@omni/contracts';

/** The one error body of the API: `message` keeps it compatible with the reference's ResponseMessage. */
export interface ErrorBody {
  status: number;
  code: string;
  message: string;
  fields?: FieldError[];
}

export class ApiError extends HttpException {
  constructor(status: number, code: string, message: string, fields?: FieldError[]) {
    super({ status, code, message, ...(fields && fields.length > 0 ? { fields } : {}) } satisfies ErrorBody, status);
  }
}
