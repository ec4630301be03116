import type { HeadersObject, ResponseObject, SchemaObject } from '@nestjs/swagger';
import { ErrorBody } from '../errors/api-error';
import { ref } from './schema-registry';

export const ERROR_SCHEMA_NAME = 'Error';
export const FIELD_ERROR_SCHEMA_NAME = 'FieldError';

/** The one error body of the API (errors/api-error.ts ErrorBody). */
export const ERROR_SCHEMA: SchemaObject = {
  type: 'object',
  description:
    'Every error of the API. `message` keeps it readable as the reference\'s ResponseMessage; `code` is stable ' +
    '(e.g. `VALIDATION_FAILED`, `UNAUTHORIZED`, `DEVICE_NOT_FOUND`, `RATE_LIMITED`); `fields` names each bad input ' +
    '(body fields, `Idempotency-Key`) on a 400. No stack traces or internal names.',
  required: ['status', 'code', 'message'],
  properties: {
    status: { type: 'integer', description: 'The HTTP status, repeated.', example: 400 },
    code: { type: 'string', description: 'Machine-readable error code.', example: 'VALIDATION_FAILED' },
    message: { type: 'string', description: 'Human-readable explanation (never quotes personal data).', example: 'invalid request: userName' },
    fields: { type: 'array', items: ref(FIELD_ERROR_SCHEMA_NAME), description: 'One entry per invalid input (400 only).' },
  },
};

export const FIELD_ERROR_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['field', 'message'],
  properties: {
    field: { type: 'string', description: 'Dotted path of the input, e.g. `userData.firstName` or `Idempotency-Key`.', example: 'userName' },
    message: { type: 'string', example: 'userName must be shorter than or equal to 256 characters' },
  },
};

/** What decides which errors an operation can answer. */
export interface ErrorContext {
  isPublic: boolean;
  /** Accepts application credentials (master or application secret): rate limited per application. */
  rateLimited: boolean;
  /** Takes input that is validated (body, query, path parameters or write headers): the field a 400 example names. */
  validated?: { field: string; message: string };
  /** Takes a JSON body (PUT/POST): 413 and 415 may answer. */
  hasBody: boolean;
  /** Names a resource in its path: 404. */
  hasPathParameters: boolean;
  /** A command write: 422 on an Idempotency-Key reused with another request. */
  write: boolean;
  bodyLimitBytes?: number;
  /** Route-specific errors (a 404's code, a 409, a 403 of its own), merged over the general ones. */
  extra?: Record<number, ErrorSpec>;
}

export interface ErrorSpec {
  description: string;
  code: string;
  message: string;
  fields?: ErrorBody['fields'];
}

/** The 4xx answers of one operation, each `application/json` with the `Error` schema and an example. */
export function errorResponses(context: ErrorContext): Record<string, ResponseObject> {
  const specs: Record<number, ErrorSpec & { headers?: HeadersObject }> = {};
  if (context.validated) {
    specs[400] = {
      description: 'Invalid input: `VALIDATION_FAILED` with one `fields` entry per problem (or `BAD_REQUEST` for a body that is not JSON).',
      code: 'VALIDATION_FAILED',
      message: `invalid request: ${context.validated.field}`,
      fields: [context.validated],
    };
  }
  if (!context.isPublic) {
    specs[401] = {
      description: 'Missing or malformed Basic credentials, unknown application key or wrong secret.',
      code: 'UNAUTHORIZED',
      message: 'missing or malformed Basic credentials',
      headers: {
        'WWW-Authenticate': {
          description: 'The Basic challenge.',
          schema: { type: 'string', example: 'Basic realm="omnichannel-profiles", charset="UTF-8"' },
        },
      },
    };
    specs[403] = {
      description: 'Valid credentials of a kind this route does not accept (e.g. an application secret on a master-secret route).',
      code: 'FORBIDDEN',
      message: 'this route does not accept application secret credentials',
    };
  }
  if (context.hasPathParameters) {
    specs[404] = { description: 'Not found (or another application\'s).', code: 'NOT_FOUND', message: 'not found' };
  }
  if (context.hasBody) {
    specs[413] = {
      description: `Request body larger than the limit${context.bodyLimitBytes ? ` (${context.bodyLimitBytes} bytes)` : ''}.`,
      code: 'PAYLOAD_TOO_LARGE',
      message: 'Request body is too large',
    };
    specs[415] = {
      description: 'The body is not `application/json`.',
      code: 'UNSUPPORTED_MEDIA_TYPE',
      message: 'Unsupported Media Type',
    };
  }
  if (context.write) {
    specs[422] = {
      description: 'The `Idempotency-Key` was used before with a different request.',
      code: 'IDEMPOTENCY_KEY_REUSED',
      message: 'this Idempotency-Key was used with a different request',
    };
  }
  if (context.rateLimited) {
    specs[429] = {
      description: 'Too many requests for this application (per gateway instance); retry after `Retry-After` seconds.',
      code: 'RATE_LIMITED',
      message: 'too many requests for this application; retry after 1 s',
      headers: { 'Retry-After': { description: 'Seconds to wait before retrying.', schema: { type: 'integer', minimum: 1, example: 1 } } },
    };
  }
  for (const [status, spec] of Object.entries(context.extra ?? {})) {
    specs[Number(status)] = { ...specs[Number(status)], ...spec };
  }
  return Object.fromEntries(
    Object.entries(specs).map(([status, spec]) => {
      const example: ErrorBody = { status: Number(status), code: spec.code, message: spec.message, ...(spec.fields ? { fields: spec.fields } : {}) };
      const response: ResponseObject = {
        description: spec.description,
        ...(spec.headers ? { headers: spec.headers } : {}),
        content: { 'application/json': { schema: ref(ERROR_SCHEMA_NAME), example } },
      };
      return [status, response];
    }),
  );
}
