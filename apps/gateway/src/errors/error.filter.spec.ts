import {
  ArgumentsHost,
  BadRequestException,
  Body,
  Controller,
  Get,
  HttpException,
  INestApplication,
  Module,
  NotFoundException,
  Post,
  ServiceUnavailableException,
} from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { IsString, MaxLength } from 'class-validator';
import { FastifyError, errorCodes } from 'fastify';
import pino from 'pino';
import { HealthRegistry, Logger, ObservabilityModule, PublicRoute } from '@omni/observability';
import { bootstrapService } from '@omni/runtime';
import { ApiError, ErrorBody } from './api-error';
import { ERROR_CONTENT_TYPE, ErrorFilter, errorBodyOf } from './error.filter';
import { apiValidationPipe } from './validation';

/** A pino logger whose lines are kept, parsed. */
function recordingLogger(): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { logger, lines };
}

/** What the filter does to a Fastify reply: the status, headers and body it sent. */
class RecordingReply {
  statusCode?: number;
  readonly headers: Record<string, string> = {};
  sent?: unknown;

  status(code: number): this {
    this.statusCode = code;
    return this;
  }
  header(name: string, value: string): this {
    this.headers[name.toLowerCase()] = value;
    return this;
  }
  send(body: unknown): this {
    this.sent = body;
    return this;
  }
}

function hostOf(reply: RecordingReply): ArgumentsHost {
  return { switchToHttp: () => ({ getResponse: () => reply }) } as unknown as ArgumentsHost;
}


describe('the error body of each kind of error', () => {
  it('ApiError: its own body, fields included', () => {
    expect(errorBodyOf(new ApiError(404, 'DEVICE_NOT_FOUND', 'device not found'))).toEqual({ status: 404, code: 'DEVICE_NOT_FOUND', message: 'device not found' });
    const fields = [{ field: 'userName', message: 'userName must be a string' }];
    expect(errorBodyOf(new ApiError(400, 'VALIDATION_FAILED', 'invalid request: userName', fields))).toEqual({
      status: 400,
      code: 'VALIDATION_FAILED',
      message: 'invalid request: userName',
      fields,
    });
    // No empty list of fields.
    expect(errorBodyOf(new ApiError(409, 'CONFLICT', 'taken', []))).toEqual({ status: 409, code: 'CONFLICT', message: 'taken' });
  });

  it('class-validator errors, through the validation pipe: 400 VALIDATION_FAILED naming every field', async () => {
    class NameBody {
      @IsString()
      @MaxLength(5)
      name!: string;

      @IsString()
      title!: string;
    }
    let thrown: unknown;
    await apiValidationPipe()
      .transform({ name: 'far too long', title: 7 }, { type: 'body', metatype: NameBody })
      .catch((error: unknown) => (thrown = error));
    expect(errorBodyOf(thrown)).toEqual({
      status: 400,
      code: 'VALIDATION_FAILED',
      message: 'invalid request: name, title',
      fields: [
        { field: 'name', message: expect.stringContaining('name must be shorter') },
        { field: 'title', message: 'title must be a string' },
      ],
    });
  });

  it("a Nest HttpException with a string response: its status's code and the string", () => {
    expect(errorBodyOf(new HttpException('gone for good', 410))).toEqual({ status: 410, code: 'HTTP_410', message: 'gone for good' });
    expect(errorBodyOf(new NotFoundException('no such route'))).toEqual({ status: 404, code: 'NOT_FOUND', message: 'no such route' });
    expect(errorBodyOf(new HttpException('', 409))).toEqual({ status: 409, code: 'CONFLICT', message: 'Conflict' });
  });

  it('a Nest HttpException with an object response: its message if it gave one, never its class name', () => {
    // Nest's own shape: { statusCode, message, error }.
    expect(errorBodyOf(new BadRequestException('not like that'))).toEqual({ status: 400, code: 'BAD_REQUEST', message: 'not like that' });
    expect(errorBodyOf(new BadRequestException(['a is wrong', 'b is wrong']))).toEqual({ status: 400, code: 'BAD_REQUEST', message: 'a is wrong; b is wrong' });
    expect(errorBodyOf(new ServiceUnavailableException())).toEqual({ status: 503, code: 'SERVICE_UNAVAILABLE', message: 'Service Unavailable' });
    // An object without a message: Nest's `exception.message` is then "Http Exception", its class name.
    const bare = new HttpException({ reason: 'pool exhausted', pool: 'PgPool#3' }, 503);
    expect(bare.message).toBe('Http Exception');
    const body = errorBodyOf(bare);
    expect(body).toEqual({ status: 503, code: 'SERVICE_UNAVAILABLE', message: 'Service Unavailable' });
    expect(JSON.stringify(body)).not.toMatch(/Exception|PgPool|pool exhausted/);
    // What the readiness controller used to throw: no longer an error (see the readiness test below),
    // and if it were one, still no class name.
    expect(errorBodyOf(new HttpException({ status: 'down', checks: { database: 'down' } }, 503)).message).toBe('Service Unavailable');
    // A status Node has no phrase for.
    expect(errorBodyOf(new HttpException({}, 499))).toEqual({ status: 499, code: 'HTTP_499', message: 'request refused' });
  });

  it("Fastify's own 4xx errors: as Nest hands them over (an HttpException of their message), or raw; no other error's message", () => {
    // What Nest's routes resolver makes of a FastifyError before any filter sees it.
    const handedOver = (error: FastifyError) => new HttpException(error.message, error.statusCode ?? 500);
    const tooLarge = new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE();
    const mediaType = new errorCodes.FST_ERR_CTP_INVALID_MEDIA_TYPE('text/xml');
    const json = new errorCodes.FST_ERR_CTP_INVALID_JSON_BODY();
    for (const error of [tooLarge, mediaType, json]) expect(errorBodyOf(handedOver(error))).toEqual(errorBodyOf(error));
    expect(errorBodyOf(tooLarge)).toEqual({ status: 413, code: 'PAYLOAD_TOO_LARGE', message: 'Request body is too large' });
    expect(errorBodyOf(mediaType)).toEqual({ status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', message: 'Unsupported Media Type: text/xml' });
    expect(errorBodyOf(json)).toEqual({ status: 400, code: 'BAD_REQUEST', message: "Body is not valid JSON but content-type is set to 'application/json'" });
    // Any other error with a 4xx statusCode: the reason phrase, not its own message.
    const other = Object.assign(new Error('connect ECONNREFUSED 10.0.0.5:5432'), { statusCode: 404 });
    expect(errorBodyOf(other)).toEqual({ status: 404, code: 'NOT_FOUND', message: 'Not Found' });
  });

  it('anything else is 500 INTERNAL_ERROR "internal error": no message, no stack, no class name', () => {
    const internal = { status: 500, code: 'INTERNAL_ERROR', message: 'internal error' };
    const sql = Object.assign(new Error('relation "gateway.applications" does not exist'), { query: 'SELECT secret FROM gateway.applications' });
    for (const exception of [
      sql,
      new TypeError("Cannot read properties of undefined (reading 'id')"),
      new errorCodes.FST_ERR_FAILED_ERROR_SERIALIZATION('internal state', 'of Fastify'),
      Object.assign(new Error('upstream down'), { statusCode: 503 }),
      'a string',
      { statusCode: 'not a number' },
      null,
      undefined,
    ]) {
      const body = errorBodyOf(exception);
      expect(body).toEqual(internal);
    }
  });
});

describe('ErrorFilter', () => {
  it('answers the body with status and Content-Type application/json', () => {
    const { logger, lines } = recordingLogger();
    const reply = new RecordingReply();
    new ErrorFilter(logger).catch(new ApiError(404, 'USER_NOT_FOUND', 'user not found'), hostOf(reply));
    expect(reply).toMatchObject({ statusCode: 404, headers: { 'content-type': ERROR_CONTENT_TYPE }, sent: { status: 404, code: 'USER_NOT_FOUND', message: 'user not found' } });
    expect(ERROR_CONTENT_TYPE).toBe('application/json; charset=utf-8');
    // A client error is not the server's: not logged.
    expect(lines).toEqual([]);
  });

  it('logs a 500 with its error (stack included) and answers none of it', () => {
    const { logger, lines } = recordingLogger();
    const reply = new RecordingReply();
    const error = new Error('password authentication failed for user "gateway"');
    new ErrorFilter(logger).catch(error, hostOf(reply));
    expect(reply.statusCode).toBe(500);
    expect(reply.sent).toEqual({ status: 500, code: 'INTERNAL_ERROR', message: 'internal error' });
    expect(lines).toEqual([expect.objectContaining({ msg: 'request failed', err: expect.objectContaining({ message: error.message, stack: expect.any(String) }) })]);
  });
});

class ProbeBody {
  @IsString()
  @MaxLength(5)
  name!: string;
}

@Controller('probe')
@PublicRoute()
class ProbeController {
  @Post('validated')
  validated(@Body() body: ProbeBody): ProbeBody {
    return body;
  }

  @Get('api-error')
  apiError(): never {
    throw new ApiError(404, 'DEVICE_NOT_FOUND', 'device not found');
  }

  @Get('nest-object')
  nestObject(): never {
    throw new HttpException({ pool: 'PgPool#3' }, 503);
  }

  @Get('unknown')
  unknown(): never {
    throw new Error('relation "gateway.applications" does not exist');
  }
}

/**
 * The gateway's HTTP pipeline without its database and broker: the bootstrap every app uses
 * (Fastify, body limit), the gateway's validation pipe and error filter, and the health controller
 * every app has, over real HTTP on a loopback port.
 */
describe('errors through the HTTP pipeline of the gateway', () => {
  const { logger, lines } = recordingLogger();
  let app: INestApplication;
  let base: string;

  @Module({ imports: [ObservabilityModule.forRoot(logger)], controllers: [ProbeController], providers: [{ provide: APP_FILTER, useClass: ErrorFilter }] })
  class ProbeModule {}

  beforeAll(async () => {
    app = await bootstrapService({ name: 'probe', module: ProbeModule, logger, port: 0, host: '127.0.0.1', validationPipe: apiValidationPipe(), bodyLimitBytes: 256 });
    base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  });

  afterAll(async () => {
    await app?.close();
  });

  async function call(path: string, init?: RequestInit): Promise<{ status: number; type: string | null; text: string; body: ErrorBody & Record<string, unknown> }> {
    const response = await fetch(`${base}${path}`, init);
    const text = await response.text();
    return { status: response.status, type: response.headers.get('content-type'), text, body: JSON.parse(text) as ErrorBody & Record<string, unknown> };
  }

  const json = (body: string, type = 'application/json'): RequestInit => ({ method: 'POST', headers: { 'content-type': type }, body });

  it('readiness with a dependency down: 503 with its own body, naming the failing check, and the reason only in the log', async () => {
    const health = app.get(HealthRegistry);
    health.register('database', async () => {
      throw new Error('connect ECONNREFUSED 127.0.0.1:1');
    });
    health.register('kafka', async () => undefined);
    const ready = await call('/health/ready');
    expect(ready.status).toBe(503);
    expect(ready.type).toMatch(/^application\/json/);
    expect(ready.body).toEqual({ status: 'down', checks: { database: 'down', kafka: 'up' } });
    expect(ready.text).not.toMatch(/ECONNREFUSED|Exception/);
    expect(lines).toContainEqual(expect.objectContaining({ level: 40, msg: expect.stringContaining('readiness check database is down: connect ECONNREFUSED 127.0.0.1:1') }));

    health.register('database', async () => undefined);
    expect(await call('/health/ready')).toMatchObject({ status: 200, body: { status: 'up', checks: { database: 'up', kafka: 'up' } } });
    expect(lines).toContainEqual(expect.objectContaining({ msg: expect.stringContaining('readiness check database is up again') }));
  });

  it('ApiError and class-validator errors keep their code and fields', async () => {
    expect(await call('/probe/api-error')).toMatchObject({ status: 404, type: ERROR_CONTENT_TYPE, body: { status: 404, code: 'DEVICE_NOT_FOUND', message: 'device not found' } });
    const invalid = await call('/probe/validated', json('{"name":"far too long"}'));
    expect(invalid).toMatchObject({ status: 400, type: ERROR_CONTENT_TYPE });
    expect(invalid.body).toEqual({ status: 400, code: 'VALIDATION_FAILED', message: 'invalid request: name', fields: [{ field: 'name', message: expect.any(String) }] });
  });

  it("Nest's and Fastify's own errors: an unknown route, malformed JSON, a body too large, a wrong content type", async () => {
    expect(await call('/nowhere')).toMatchObject({ status: 404, type: ERROR_CONTENT_TYPE, body: { status: 404, code: 'NOT_FOUND', message: 'Cannot GET /nowhere' } });
    expect(await call('/probe/validated', json('{"name":'))).toMatchObject({ status: 400, type: ERROR_CONTENT_TYPE, body: { status: 400, code: 'BAD_REQUEST', message: expect.stringContaining('not valid JSON') } });
    expect(await call('/probe/validated', json(JSON.stringify({ name: 'x'.repeat(300) })))).toMatchObject({
      status: 413,
      type: ERROR_CONTENT_TYPE,
      body: { status: 413, code: 'PAYLOAD_TOO_LARGE', message: 'Request body is too large' },
    });
    expect(await call('/probe/validated', json('<name/>', 'text/xml'))).toMatchObject({
      status: 415,
      type: ERROR_CONTENT_TYPE,
      body: { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', message: 'Unsupported Media Type: text/xml' },
    });
  });

  it('no internal name leaks: an HttpException without a message, an unknown error', async () => {
    const bare = await call('/probe/nest-object');
    expect(bare).toMatchObject({ status: 503, type: ERROR_CONTENT_TYPE, body: { status: 503, code: 'SERVICE_UNAVAILABLE', message: 'Service Unavailable' } });
    expect(bare.text).not.toMatch(/Exception|PgPool/);
    const unknown = await call('/probe/unknown');
    expect(unknown).toMatchObject({ status: 500, type: ERROR_CONTENT_TYPE });
    expect(unknown.body).toEqual({ status: 500, code: 'INTERNAL_ERROR', message: 'internal error' });
    expect(unknown.text).not.toMatch(/relation|gateway\.applications|Error|at /);
  });
});
