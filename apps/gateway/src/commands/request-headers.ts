import { ExecutionContext, createParamDecorator } from '@nestjs/common';
import { FastifyRequest } from 'fastify';
import { ApiError } from '../errors/api-error';
import { prefersAsync } from './http-answer';

export interface WriteOptions {
  idempotencyKey?: string;
  respondAsync: boolean;
  /** The client's own `X-Correlation-Id`, when it is a sane token: the write's correlation id instead of its command id. */
  correlationId?: string;
}

/** What a client's `X-Correlation-Id` may be to be used (and logged) as is; anything else is ignored. */
const CORRELATION_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/** The client's `X-Correlation-Id` if it is 1–64 characters of `[A-Za-z0-9._:-]`, else undefined (the gateway makes one). */
export function clientCorrelationId(header: string | string[] | undefined): string | undefined {
  return typeof header === 'string' && CORRELATION_ID.test(header) ? header : undefined;
}

/**
 * `Idempotency-Key` (1–255 visible ASCII characters), `Prefer: respond-async` and `X-Correlation-Id`
 * of a write.
 */
export const WriteHeaders = createParamDecorator((_: unknown, ctx: ExecutionContext): WriteOptions => {
  const headers = ctx.switchToHttp().getRequest<FastifyRequest>().headers;
  const key = headers['idempotency-key'];
  if (key !== undefined && (typeof key !== 'string' || !/^[\x21-\x7e]{1,255}$/.test(key))) {
    throw new ApiError(400, 'VALIDATION_FAILED', 'Idempotency-Key must be 1 to 255 visible ASCII characters', [
      { field: 'Idempotency-Key', message: 'must be 1 to 255 visible ASCII characters' },
    ]);
  }
  const prefer = headers.prefer;
  return {
    idempotencyKey: key,
    respondAsync: prefersAsync(Array.isArray(prefer) ? prefer.join(',') : prefer),
    correlationId: clientCorrelationId(headers['x-correlation-id']),
  };
});
