import { readFileSync } from 'node:fs';
import path from 'node:path';
import { INestApplication, Type } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import {
  DocumentBuilder,
  HeadersObject,
  OpenAPIObject,
  OperationObject,
  ParameterObject,
  PathItemObject,
  ReferenceObject,
  RequestBodyObject,
  ResponseObject,
  SchemaObject,
  SecurityRequirementObject,
  SwaggerModule,
} from '@nestjs/swagger';
import { CredentialKind } from '../auth/auth.guard';
import { ErrorSpec, errorResponses } from './errors';
import { defineResponseSchemas, ResponseSchemas } from './response-schemas';
import { HandlerMetadata, handlerMetadata } from './route-metadata';
import { RouteDoc, SuccessSpec, routeDocs } from './route-docs';
import { SchemaRegistry, isReference } from './schema-registry';

export interface OpenApiOptions {
  /** The gateway's request body limit, stated on the 413 answers. */
  bodyLimitBytes?: number;
  /** The document's `info.version` (default: the version in package.json). */
  version?: string;
}

/** The HTTP Basic security scheme of each credential kind (the reference's names for the application's two). */
export const SECURITY_SCHEMES: Record<CredentialKind, string> = {
  admin: 'AdminBasic',
  master: 'MasterSecret',
  sdk: 'ApplicationSecret',
};

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head'] as const;
type HttpMethod = (typeof HTTP_METHODS)[number];

const CORRELATION_HEADER: HeadersObject = {
  'X-Correlation-Id': {
    description: 'The id every service logs this write under: the one the request sent (1–64 characters of `A-Z a-z 0-9 . _ : -`), else the command id.',
    schema: { type: 'string', minLength: 1, maxLength: 64 },
  },
};
const REPLAYED_HEADER: HeadersObject = {
  'Idempotent-Replayed': { description: '`true` when this is the stored answer to an earlier request with the same `Idempotency-Key`.', schema: { type: 'string', enum: ['true'] } },
};

/** Path parameters as the reference describes them, with the rules the pipes apply. */
const PATH_PARAMETERS: Record<string, Pick<ParameterObject, 'description' | 'example'> & { schema: SchemaObject }> = {
  deviceID: {
    description: 'The device: a push token or web push id (1–512 characters, no control characters); on /email and /sms, the contact\'s recipient id.',
    example: '00a9b9bf-c099-45aa-9278-64d6a3f22476',
    schema: { type: 'string', minLength: 1, maxLength: 512 },
  },
  userID: {
    description: 'The app-specific userID of the user (1–256 characters, no control characters).',
    example: '12345',
    schema: { type: 'string', minLength: 1, maxLength: 256 },
  },
  applicationKey: { description: 'The application\'s key.', schema: { type: 'string' } },
  key: { description: 'A user data field key.', example: 'firstName', schema: { type: 'string', pattern: '^[A-Za-z][A-Za-z0-9_]{0,63}$' } },
  commandId: { description: 'The `commandId` of a 202 answer.', schema: { type: 'string', format: 'uuid' } },
};

const WRITE_HEADERS: ParameterObject[] = [
  {
    name: 'Idempotency-Key',
    in: 'header',
    required: false,
    description:
      'Makes a retry safe: the same key with the same request gets the first answer (`Idempotent-Replayed: true`) and the write happens once; ' +
      'the same key with another request is 422. 1–255 visible ASCII characters, per application.',
    schema: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[\\x21-\\x7e]{1,255}$' },
    example: '6f1c9e0a-4d2b-4c1e-9f57-0b8e5d6a7c31',
  },
  {
    name: 'Prefer',
    in: 'header',
    required: false,
    description:
      '`respond-async` (RFC 7240): answer 202 with a `commandId` as soon as the write is accepted, instead of waiting until its effect is visible.',
    schema: { type: 'string', enum: ['respond-async'] },
  },
  {
    name: 'X-Correlation-Id',
    in: 'header',
    required: false,
    description: 'An id of your own to find this write in every service\'s logs (1–64 characters of `A-Z a-z 0-9 . _ : -`; anything else is ignored and the command id is used). Echoed in the answer.',
    schema: { type: 'string', minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9._:-]{1,64}$' },
  },
];

const DESCRIPTION = [
  'The HTTP API of the omnichannel profile platform: push devices, email contacts, SMS numbers and user data under one userID.',
  'Paths, bodies and answers follow the Notificare REST API and SDK API where a route exists there.',
  '',
  'Authentication is HTTP Basic on every route:',
  '- `ApplicationSecret`: application key and application secret (the SDK, from devices);',
  '- `MasterSecret`: application key and master secret (your backend);',
  '- `AdminBasic`: user `admin` and the gateway\'s `ADMIN_SECRET` (the application registry).',
  '',
  'Writes answer once their effect is visible (read your writes). With `Prefer: respond-async`, or when the effect takes longer than the gateway waits, ' +
    'they answer 202 with a `commandId` to follow at GET /command/{commandId}. `Idempotency-Key` makes retries safe.',
  'Every error has the body of the `Error` schema. Requests are rate limited per application (429 with `Retry-After`).',
].join('\n');

const TAGS: { name: string; description: string }[] = [
  { name: 'Device', description: 'Push devices: the SDK\'s routes (application secret) and the backend\'s (master secret).' },
  { name: 'Email', description: 'Email contacts (master secret).' },
  { name: 'SMS', description: 'SMS numbers (master secret).' },
  { name: 'User', description: 'Users and their unified profiles (master secret).' },
  { name: 'Command', description: 'The state of writes answered 202.' },
  { name: 'Application', description: 'The application\'s settings (master secret) and info (application secret).' },
  { name: 'Admin', description: 'The application registry (admin credential).' },
  { name: 'Operations', description: 'Health and metrics (no credential).' },
];

/** The body of GET /health/ready, 200 or 503 (libs/observability health.ts Readiness). */
const READINESS_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['status', 'checks'],
  properties: {
    status: { type: 'string', enum: ['up', 'down'] },
    checks: { type: 'object', additionalProperties: { type: 'string', enum: ['up', 'down'] }, description: 'Each check by name.' },
  },
};

/** Docs of routes that are not part of the API proper. */
const OPERATIONS_DOCS: Record<string, RouteDoc> = {
  'GET /health/live': { tag: 'Operations', summary: 'Liveness', responses: { 200: { description: 'The process answers.', example: { status: 'up' } } } },
  'GET /health/ready': {
    tag: 'Operations',
    summary: 'Readiness',
    responses: {
      200: {
        description: 'Every check is up: database, its listener, broker, and the outbox relay (not failing to publish for 15 s or more).',
        schema: READINESS_SCHEMA,
        example: { status: 'up', checks: { database: 'up', 'database-listener': 'up', kafka: 'up', 'outbox-relay': 'up' } },
      },
      503: {
        description: 'A dependency does not answer: the same body, with the check that is down named `down` (why is in the logs).',
        schema: READINESS_SCHEMA,
        example: { status: 'down', checks: { database: 'down', 'database-listener': 'up', kafka: 'up', 'outbox-relay': 'up' } },
      },
    },
  },
  'GET /metrics': { tag: 'Operations', summary: 'Prometheus metrics', responses: { 200: { description: 'Prometheus text exposition format.' } } },
};

/**
 * The OpenAPI 3 document of the gateway, generated from the code at boot: @nestjs/swagger scans the
 * controllers for methods, paths and path parameters; the rest is read from the same metadata —
 * `@Accepts` (CREDENTIALS) → security requirements, `PUBLIC_ROUTE` → none, `@Body()`/`@Query()` DTO
 * classes → JSON Schemas from their class-validator decorators, `@WriteHeaders()` → the
 * `Idempotency-Key`/`Prefer` headers, 202 and 422 — plus route-docs.ts for what metadata cannot say
 * (summaries, the reference's operationIds and answers). A route route-docs.ts does not know is still
 * documented, from its metadata alone.
 */
export function buildOpenApiDocument(app: INestApplication, options: OpenApiOptions = {}): OpenAPIObject {
  const builder = new DocumentBuilder()
    .setTitle('Omnichannel Profiles API')
    .setDescription(DESCRIPTION)
    .setVersion(options.version ?? packageVersion())
    .addBasicAuth({ type: 'http', scheme: 'basic', description: 'User `admin`, password the gateway\'s `ADMIN_SECRET`: the application registry.' }, SECURITY_SCHEMES.admin)
    .addBasicAuth(
      { type: 'http', scheme: 'basic', description: 'Username `applicationKey`, password `masterSecret`: calls from your backend system.' },
      SECURITY_SCHEMES.master,
    )
    .addBasicAuth(
      { type: 'http', scheme: 'basic', description: 'Username `applicationKey`, password `applicationSecret`: calls from the device (the SDK), e.g. registration, tags.' },
      SECURITY_SCHEMES.sdk,
    );
  for (const tag of TAGS) builder.addTag(tag.name, tag.description);
  const scanned = SwaggerModule.createDocument(app, builder.build(), {
    // `Controller.handler`, to find the handler again below (the final ids are set per operation).
    operationIdFactory: (controllerKey, methodKey) => `${controllerKey}.${methodKey}`,
  });

  const controllers = controllersOf(app);
  const registry = new SchemaRegistry();
  const schemas = defineResponseSchemas(registry);
  const docs: Record<string, RouteDoc> = { ...OPERATIONS_DOCS, ...routeDocs(schemas) };
  const paths: Record<string, PathItemObject> = {};
  for (const [path, item] of Object.entries(scanned.paths)) {
    const described: PathItemObject = { ...item };
    for (const method of HTTP_METHODS) {
      const operation = item[method];
      if (!operation) continue;
      const [controllerName, handlerName] = (operation.operationId ?? '').split('.');
      const controller = controllers.get(controllerName);
      if (!controller || !handlerName) continue;
      described[method] = describe({
        operation,
        path,
        method,
        controllerName,
        handlerName,
        metadata: handlerMetadata(controller, handlerName),
        doc: docs[`${method.toUpperCase()} ${path}`],
        registry,
        schemas,
        options,
      });
    }
    paths[path] = described;
  }
  const info = { ...scanned.info };
  if (Object.keys(info.contact ?? {}).length === 0) delete info.contact;
  return {
    ...scanned,
    info,
    tags: TAGS,
    paths,
    components: { ...scanned.components, schemas: registry.components() },
  };
}

interface OperationContext {
  operation: OperationObject;
  path: string;
  method: HttpMethod;
  controllerName: string;
  handlerName: string;
  metadata: HandlerMetadata;
  doc?: RouteDoc;
  registry: SchemaRegistry;
  schemas: ResponseSchemas;
  options: OpenApiOptions;
}

function describe(context: OperationContext): OperationObject {
  const { operation, metadata, doc, registry, schemas } = context;
  const pathParameters = (operation.parameters ?? [])
    .filter((parameter): parameter is ParameterObject => !isReference(parameter as SchemaObject) && (parameter as ParameterObject).in === 'path')
    .map((parameter) => ({ ...parameter, ...PATH_PARAMETERS[parameter.name], required: true, in: 'path' as const }));
  const queryParameters = queryParametersOf(metadata.query, registry, doc?.query);
  const requestBody = requestBodyOf(context);
  const hasBody = requestBody !== undefined;

  const responses: Record<string, ResponseObject> = {};
  const success = doc?.responses ?? defaultSuccess(operation);
  for (const [status, spec] of Object.entries(success)) responses[status] = successResponse(spec, metadata.write);
  if (metadata.write && !responses['202']) {
    responses['202'] = successResponse({ description: 'Accepted: the write is being processed (`Prefer: respond-async`, or not yet visible).', schema: schemas.commandAccepted }, true);
  }
  if (metadata.write) {
    // A pending write is never a replay: its answer is stored once it is known.
    const headers = { ...responses['202'].headers };
    delete headers['Idempotent-Replayed'];
    responses['202'].headers = {
      Location: { description: 'GET it for the state of the write.', schema: { type: 'string', example: '/command/6f1c9e0a-4d2b-4c1e-9f57-0b8e5d6a7c31' } },
      ...headers,
    };
  }
  const extra: Record<number, ErrorSpec> = { ...doc?.errors };
  if (doc?.notFound) {
    extra[404] = extra[404] ?? { description: `\`${doc.notFound.code}\`: not found, or another application's.`, ...doc.notFound };
  }
  Object.assign(
    responses,
    errorResponses({
      isPublic: metadata.isPublic,
      rateLimited: !metadata.isPublic && metadata.accepts.some((kind) => kind !== 'admin'),
      validated: validationExample(metadata, requestBody, queryParameters, pathParameters, registry),
      hasBody,
      hasPathParameters: pathParameters.length > 0 && doc?.notFound !== false,
      write: metadata.write,
      bodyLimitBytes: context.options.bodyLimitBytes,
      extra,
    }),
  );

  const security: SecurityRequirementObject[] = metadata.isPublic ? [] : metadata.accepts.map((kind) => ({ [SECURITY_SCHEMES[kind]]: [] }));
  const result: OperationObject = {
    operationId: doc?.operationId ?? operationIdOf(context.controllerName, context.handlerName),
    summary: doc?.summary ?? sentence(context.handlerName),
    description: descriptionOf(context),
    tags: [doc?.tag ?? context.controllerName.replace(/Controller$/, '')],
    parameters: [...pathParameters, ...queryParameters, ...(metadata.write ? WRITE_HEADERS : [])],
    ...(requestBody ? { requestBody } : {}),
    responses,
    security,
  };
  if (metadata.accepts.length > 0) (result as OperationObject & Record<string, unknown>)['x-credentials'] = metadata.accepts;
  return result;
}

/** The field a 400 example names: a body field, a query or path parameter, or the Idempotency-Key (undefined: nothing is validated). */
function validationExample(
  metadata: HandlerMetadata,
  requestBody: RequestBodyObject | undefined,
  query: ParameterObject[],
  path: ParameterObject[],
  registry: SchemaRegistry,
): { field: string; message: string } | undefined {
  const bodyField = isDtoClass(metadata.body) ? Object.keys(registry.schemaOf(metadata.body).properties ?? {})[0] : undefined;
  if (bodyField) return { field: bodyField, message: `${bodyField} is invalid` };
  if (requestBody) return { field: 'userData', message: 'userData must be an object of field keys to values' };
  const parameter = query[0] ?? path[0];
  if (parameter) return { field: parameter.name, message: `${parameter.name} is invalid` };
  if (metadata.write) return { field: 'Idempotency-Key', message: 'must be 1 to 255 visible ASCII characters' };
  return undefined;
}

function descriptionOf({ doc, metadata }: OperationContext): string {
  const parts: string[] = [];
  if (doc?.description) parts.push(doc.description);
  if (metadata.isPublic) parts.push('No credential.');
  else if (metadata.accepts.length === 0) parts.push('Declares no credential: every request is refused (403).');
  else parts.push(`Credentials: ${metadata.accepts.map((kind) => CREDENTIAL_WORDS[kind]).join(' or ')} (HTTP Basic).`);
  if (doc?.reference && doc.operationId) parts.push(`Follows the ${doc.reference} (\`${doc.operationId}\`).`);
  return parts.join('\n\n');
}

const CREDENTIAL_WORDS: Record<CredentialKind, string> = {
  admin: '`admin` and the admin secret',
  master: '`applicationKey` and `masterSecret`',
  sdk: '`applicationKey` and `applicationSecret`',
};

function defaultSuccess(operation: OperationObject): Record<number, SuccessSpec> {
  const statuses = Object.keys(operation.responses ?? {}).filter((status) => /^2\d\d$/.test(status));
  return Object.fromEntries((statuses.length > 0 ? statuses : ['200']).map((status) => [status, { description: status === '204' ? 'No Content' : 'OK' }]));
}

function successResponse(spec: SuccessSpec, write: boolean): ResponseObject {
  const headers: HeadersObject = { ...(write ? { ...CORRELATION_HEADER, ...REPLAYED_HEADER } : {}), ...spec.headers };
  const content =
    spec.schema !== undefined || spec.example !== undefined
      ? { 'application/json': { schema: spec.schema ?? { type: 'object' }, ...(spec.example !== undefined ? { example: spec.example } : {}) } }
      : undefined;
  return {
    description: spec.description,
    ...(Object.keys(headers).length > 0 ? { headers } : {}),
    ...(content ? { content } : {}),
  };
}

const PLAIN_TYPES: unknown[] = [Object, String, Number, Boolean, Array, undefined];

function isDtoClass(type: unknown): type is Type<unknown> {
  return typeof type === 'function' && !PLAIN_TYPES.includes(type);
}

function requestBodyOf({ metadata, doc, registry }: OperationContext): RequestBodyObject | undefined {
  if (metadata.body === undefined && !doc?.requestBody) return undefined;
  const example = doc?.requestExample !== undefined ? { example: doc.requestExample } : {};
  let schema: SchemaObject | ReferenceObject;
  if (isDtoClass(metadata.body)) schema = registry.refTo(metadata.body);
  else if (doc?.requestBody) schema = doc.requestBody.schema;
  else schema = { type: 'object' };
  return {
    required: true,
    ...(doc?.requestBody?.description ? { description: doc.requestBody.description } : {}),
    content: { 'application/json': { schema, ...example } },
  };
}

function queryParametersOf(query: unknown, registry: SchemaRegistry, docs: RouteDoc['query'] = {}): ParameterObject[] {
  if (!isDtoClass(query)) return [];
  const schema = registry.schemaOf(query);
  const required = new Set(schema.required ?? []);
  return Object.entries(schema.properties ?? {}).map(([name, property]) => {
    const doc = docs[name];
    const plain: SchemaObject | ReferenceObject = isReference(property) ? property : { ...property, ...(doc?.default !== undefined ? { default: doc.default } : {}) };
    if (!isReference(plain)) delete plain.nullable;
    return {
      name,
      in: 'query' as const,
      required: required.has(name),
      ...(doc ? { description: doc.description } : {}),
      ...(doc?.example !== undefined ? { example: doc.example } : {}),
      schema: plain,
    };
  });
}

/** Every controller class of the application, by name (swagger names operations after them). */
function controllersOf(app: INestApplication): Map<string, Type<unknown>> {
  const controllers = new Map<string, Type<unknown>>();
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const metatype = wrapper.metatype as Type<unknown> | null;
      if (metatype) controllers.set(metatype.name, metatype);
    }
  }
  return controllers;
}

/** The platform's version: the nearest package.json above this file (the checkout's or the image's root; dist/ has none). */
function packageVersion(): string {
  for (let directory = __dirname; ; directory = path.dirname(directory)) {
    try {
      const manifest = JSON.parse(readFileSync(path.join(directory, 'package.json'), 'utf8')) as { version?: unknown };
      return typeof manifest.version === 'string' ? manifest.version : '0.0.0';
    } catch {
      if (path.dirname(directory) === directory) return '0.0.0';
    }
  }
}

function operationIdOf(controllerName: string, handlerName: string): string {
  const base = controllerName.replace(/Controller$/, '');
  return `${base.charAt(0).toLowerCase()}${base.slice(1)}${handlerName.charAt(0).toUpperCase()}${handlerName.slice(1)}`;
}

function sentence(name: string): string {
  const words = name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}
