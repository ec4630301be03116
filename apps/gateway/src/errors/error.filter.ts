import { STATUS_CODES } from 'node:http';
import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Inject } from '@nestjs/common';
import { FastifyReply } from 'fastify';
import { LOGGER, Logger } from '@omni/observability';
import { ApiError, ErrorBody } from './api-error';

const CODES: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  406: 'NOT_ACCEPTABLE',
  408: 'REQUEST_TIMEOUT',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  414: 'URI_TOO_LONG',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'UNPROCESSABLE_ENTITY',
  429: 'TOO_MANY_REQUESTS',
  500: 'INTERNAL_ERROR',
  502: 'BAD_GATEWAY',
  503: 'SERVICE_UNAVAILABLE',
  504: 'GATEWAY_TIMEOUT',
};

/**
 * The media type of every error answer. The reference answers its errors (`404 device not found` of
 * PUT and DELETE /device/{deviceID}) as `application/json; charset=utf-8`, and so do clients written
 * against it: the body has the fields of RFC 9457 problem details that the API needs (`status`,
 * a stable `code` for `type`, `message` for `detail`) but not `application/problem+json`
 * (docs/operations.md, "Errors").
 */
export const ERROR_CONTENT_TYPE = 'application/json; charset=utf-8';

/**
 * Every error leaves the gateway as an ErrorBody with `Content-Type: application/json`; nothing
 * internal leaks — no stack, no SQL, no driver message, and no class name (Nest's HttpException
 * without a message of its own says `Http Exception`, its class name: never sent).
 *
 * - ApiError: its body as it is (status, code, message, fields).
 * - Any other HttpException: its status, the status's code, and its message if it was given one
 *   as text; else the status's reason phrase. Nest's own (an unknown route: `Cannot GET /x`) and
 *   Fastify's errors, which Nest hands over as an HttpException of their message (malformed JSON,
 *   body too large, wrong content type: messages written for clients) are of this kind.
 * - An error with a 4xx `statusCode` that Nest did not hand over so: Fastify's own keep their
 *   message; any other gets the status's reason phrase, not its message.
 * - Anything else: 500 INTERNAL_ERROR "internal error", and the error in the log.
 *
 * Readiness (`GET /health/ready`) is not an error: its 503 is answered by the health controller
 * itself (libs/observability health.ts) with its own body, naming the check that is down.
 */
@Catch()
export class ErrorFilter implements ExceptionFilter {
  constructor(@Inject(LOGGER) private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const body = errorBodyOf(exception);
    if (body.status >= 500) this.logger.error({ err: exception }, 'request failed');
    void reply.status(body.status).header('content-type', ERROR_CONTENT_TYPE).send(body);
  }
}

/** The ErrorBody answered for `exception` (see ErrorFilter). */
export function errorBodyOf(exception: unknown): ErrorBody {
  if (exception instanceof ApiError) return exception.getResponse() as ErrorBody;
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    return { status, code: codeOf(status), message: messageOf(exception.getResponse()) ?? reasonOf(status) };
  }
  const external = exception as { statusCode?: unknown } | null;
  if (typeof external?.statusCode === 'number' && external.statusCode >= 400 && external.statusCode < 500) {
    const status = external.statusCode;
    const fastify = exception instanceof Error && exception.name === 'FastifyError';
    return { status, code: codeOf(status), message: fastify ? (exception as Error).message : reasonOf(status) };
  }
  return { status: HttpStatus.INTERNAL_SERVER_ERROR, code: 'INTERNAL_ERROR', message: 'internal error' };
}

function codeOf(status: number): string {
  return CODES[status] ?? `HTTP_${status}`;
}

/** The status's reason phrase (`Service Unavailable`), or a plain one for a status Node does not name. */
function reasonOf(status: number): string {
  return STATUS_CODES[status] ?? (status >= 500 ? 'internal error' : 'request refused');
}

/**
 * The message an HttpException was given: a string response, or the `message` of an object
 * response (Nest's `{ statusCode, message, error }`; a list of messages joined). Undefined when it
 * was given none: then `exception.message` is the class name, which is never answered.
 */
function messageOf(response: string | object): string | undefined {
  if (typeof response === 'string') return response || undefined;
  const message = (response as { message?: unknown }).message;
  if (typeof message === 'string' && message) return message;
  if (Array.isArray(message) && message.length > 0 && message.every((item) => typeof item === 'string')) return message.join('; ');
  return undefined;
}
