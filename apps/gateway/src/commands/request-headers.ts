import { ExecutionContext, createParamDecorator } from '@nestjs/common';
import { FastifyRequest } from 'fastify';
import { ApiError } from '../errors/api-error';
import { prefersAsync } from './http-answer';

export interface WriteOptions {
  idempotencyKey?: string;
  respondAsync: boolean;
}

/** `Idempotency-Key` (1–255 visible ASCII characters) and `Prefer: respond-async` of a write. */
export const WriteHeaders = createParamDecorator((_: unknown, ctx: ExecutionContext): WriteOptions => {
  const headers = ctx.switchToHttp().getRequest<FastifyRequest>().headers;
  const key = headers['idempotency-key'];
  if (key !== undefined && (typeof key !== 'string' || !/^[\x21-\x7e]{1,255}$/.test(key))) {
    throw new ApiError(400, 'VALIDATION_FAILED', 'Idempotency-Key must be 1 to 255 visible ASCII characters', [
      { field: 'Idempotency-Key', message: 'must be 1 to 255 visible ASCII characters' },
    ]);
  }
  const prefer = headers.prefer;
  return { idempotencyKey: key, respondAsync: prefersAsync(Array.isArray(prefer) ? prefer.join(',') : prefer) };
});
