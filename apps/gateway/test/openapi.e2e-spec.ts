import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import SwaggerParser from '@apidevtools/swagger-parser';
import type { OpenAPIV3 } from 'openapi-types';
import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { ApiClient, TestDatabase, TestKafka, TestStack, testDatabase, testKafka } from '@omni/testing';
import { CredentialKind } from '../src/auth/auth.guard';
import { GATEWAY_CONTROLLERS } from '../src/gateway.module';
import { ApiRoute, apiRoutes } from './support/api-routes';

/** The security scheme each credential kind is documented with (the reference's names for the application's two). */
const SCHEMES: Record<CredentialKind, string> = { admin: 'AdminBasic', master: 'MasterSecret', sdk: 'ApplicationSecret' };
const ERROR_REF = '#/components/schemas/Error';
const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

/**
 * Routes of the Notificare references this API implements, spelled as the references spell them,
 * with the 2xx answers the references document (and the message of their ResponseMessage example);
 * `sdk`: a route of the SDK API (ApplicationSecret), else of the REST API (MasterSecret).
 */
const REFERENCE_ROUTES: { method: string; path: string; statuses: number[]; message?: string; sdk?: true }[] = [
  { method: 'get', path: '/application/info', statuses: [200], sdk: true },
  { method: 'post', path: '/device', statuses: [200, 201], message: 'device updated', sdk: true },
  { method: 'get', path: '/device', statuses: [200] },
  { method: 'get', path: '/device/foruser/{userID}', statuses: [200] },
  { method: 'get', path: '/device/{deviceID}', statuses: [200] },
  { method: 'put', path: '/device/{deviceID}', statuses: [200], message: 'device updated', sdk: true },
  { method: 'delete', path: '/device/{deviceID}', statuses: [200], message: 'device deactivated', sdk: true },
  { method: 'get', path: '/device/{deviceID}/tags', statuses: [200], sdk: true },
  { method: 'put', path: '/device/{deviceID}/addtag', statuses: [200], message: 'device updated', sdk: true },
  { method: 'put', path: '/device/{deviceID}/removetag', statuses: [200], message: 'device updated', sdk: true },
  { method: 'put', path: '/device/{deviceID}/addtags', statuses: [200], message: 'device updated', sdk: true },
  { method: 'put', path: '/device/{deviceID}/removetags', statuses: [200], message: 'device updated', sdk: true },
  { method: 'put', path: '/device/{deviceID}/cleartags', statuses: [200], message: 'device updated', sdk: true },
  { method: 'get', path: '/device/{deviceID}/userdata', statuses: [200], sdk: true },
  { method: 'put', path: '/device/{deviceID}/userdata', statuses: [200], message: 'device updated', sdk: true },
  { method: 'put', path: '/device/{deviceID}/user', statuses: [200], message: 'device updated' },
  { method: 'delete', path: '/device/{deviceID}/user', statuses: [200], message: 'device updated' },
  { method: 'put', path: '/device/{deviceID}/userdata/override', statuses: [200], message: 'device user data updated' },
  { method: 'get', path: '/device/{deviceID}/dnd', statuses: [200], sdk: true },
  { method: 'put', path: '/device/{deviceID}/dnd', statuses: [200], message: 'device updated', sdk: true },
  { method: 'put', path: '/device/{deviceID}/cleardnd', statuses: [200], message: 'device updated', sdk: true },
  { method: 'post', path: '/device/bygeometry', statuses: [200] },
  { method: 'get', path: '/device/bylocation/{lat1}/{long1}/{lat2}/{long2}', statuses: [200] },
  { method: 'get', path: '/device/bylocation/{latitude}/{longitude}/{distance}', statuses: [200] },
  { method: 'get', path: '/device/forregion/{region}', statuses: [200] },
  { method: 'get', path: '/device/forsubscription/{subscription}', statuses: [200] },
  { method: 'get', path: '/device/search/{search}', statuses: [200] },
  { method: 'get', path: '/device/fortag/{tag}', statuses: [200] },
  { method: 'get', path: '/device/fortag/{tag}/count', statuses: [200] },
  { method: 'get', path: '/device/foruser/{userID}/fornotification/{notification}', statuses: [200] },
  { method: 'get', path: '/device/tags', statuses: [200] },
  { method: 'get', path: '/device/tags/{tag}', statuses: [200] },
  { method: 'get', path: '/device/{deviceID}/regionstate', statuses: [200] },
  { method: 'get', path: '/device/{deviceID}/regionstate/forregion/{region}', statuses: [200] },
  { method: 'get', path: '/device/{deviceID}/regionstate/forbeacon/{beacon}', statuses: [200] },
  { method: 'post', path: '/email', statuses: [200, 201, 202] },
  { method: 'put', path: '/email/{deviceID}', statuses: [200, 202], message: 'email contact updated' },
  { method: 'delete', path: '/email/{deviceID}', statuses: [204] },
  { method: 'put', path: '/email/{deviceID}/cleartags', statuses: [200], message: 'tags cleared' },
  { method: 'put', path: '/email/{deviceID}/addtags', statuses: [200], message: 'tags added' },
  { method: 'put', path: '/email/{deviceID}/removetags', statuses: [200], message: 'tags removed' },
  { method: 'post', path: '/sms', statuses: [200, 201, 202] },
  { method: 'put', path: '/sms/{deviceID}', statuses: [200, 202], message: 'sms number updated' },
  { method: 'delete', path: '/sms/{deviceID}', statuses: [204] },
  { method: 'put', path: '/sms/{deviceID}/cleartags', statuses: [200], message: 'tags cleared' },
  { method: 'put', path: '/sms/{deviceID}/addtags', statuses: [200], message: 'tags added' },
  { method: 'put', path: '/sms/{deviceID}/removetags', statuses: [200], message: 'tags removed' },
  { method: 'get', path: '/user/foruserid/{userID}', statuses: [200] },
  { method: 'put', path: '/user/foruserid/{userID}', statuses: [200], message: 'user updated' },
  { method: 'put', path: '/user/foruserid/{userID}/userdata/override', statuses: [200] },
];

/** The reference documents, when this checkout sits beside them (../shared/reference). */
const REFERENCE_FILES = ['notificare-push-api.subset.yaml', 'notificare-sdk-api.subset.yaml'].map((name) =>
  path.resolve(__dirname, '../../../../shared/reference', name),
);

/** `/user/foruserid/:userID` → `/user/foruserid/{userID}` */
function openApiPath(route: ApiRoute): string {
  return route.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

/** The shape of a path, whatever its parameters are called. */
function shape(template: string): string {
  return template.replace(/\{[^}]+\}/g, '{}');
}

/** Whether the handler of a route takes a `@Body()` (the whole body, typed with a DTO class or not). */
function bodyTypeOf(route: ApiRoute): unknown {
  for (const controller of GATEWAY_CONTROLLERS) {
    const base = String(Reflect.getMetadata(PATH_METADATA, controller) ?? '');
    for (const name of Object.getOwnPropertyNames(controller.prototype)) {
      const handler = (controller.prototype as unknown as Record<string, unknown>)[name];
      if (name === 'constructor' || typeof handler !== 'function') continue;
      const sub = Reflect.getMetadata(PATH_METADATA, handler) as string | undefined;
      if (sub === undefined) continue;
      const full = `/${[base, sub].filter((part) => part && part !== '/').join('/')}`.replace(/\/+/g, '/');
      if (full !== route.path) continue;
      const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, name) ?? {}) as Record<string, { index: number }>;
      const body = Object.entries(args).find(([key]) => key.startsWith(`${RouteParamtypes.BODY}:`));
      if (RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod] !== route.method || !body) continue;
      const types = (Reflect.getMetadata('design:paramtypes', controller.prototype, name) ?? []) as unknown[];
      return types[body[1].index] ?? Object;
    }
  }
  return undefined;
}

/** `method path` pairs of a reference document (its `paths:` section: paths at 2 spaces, methods at 4). */
function referenceOperations(file: string): { method: string; path: string }[] {
  const operations: { method: string; path: string }[] = [];
  let inPaths = false;
  let current: string | undefined;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (/^\S/.test(line)) inPaths = line.startsWith('paths:');
    if (!inPaths) continue;
    const pathLine = /^ {2}(\/\S*):\s*$/.exec(line);
    if (pathLine) current = pathLine[1];
    const methodLine = /^ {4}(get|put|post|delete|patch):\s*$/.exec(line);
    if (methodLine && current) operations.push({ method: methodLine[1], path: current });
  }
  return operations;
}

describe('OpenAPI document and Swagger UI of the gateway', () => {
  let db: TestDatabase;
  let kafka: TestKafka;
  let stack: TestStack;
  let anonymous: ApiClient;
  let document: OpenAPIV3.Document;

  const operation = (method: string, template: string): OpenAPIV3.OperationObject | undefined =>
    (document.paths[template] as Record<string, OpenAPIV3.OperationObject> | undefined)?.[method];

  beforeAll(async () => {
    [db, kafka] = await Promise.all([testDatabase(), testKafka()]);
    stack = await new TestStack({ databaseUrl: db.url, brokers: kafka.brokers, topicPrefix: kafka.prefix }).start();
    anonymous = new ApiClient(stack.gatewayUrl);
    const answer = await anonymous.get<OpenAPIV3.Document>('/docs-json');
    expect(answer.status).toBe(200);
    document = answer.body;
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
    await db?.drop();
  });

  it('GET /docs-json answers without credentials a valid OpenAPI 3 document', async () => {
    const answer = await anonymous.get('/docs-json');
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
    expect(typeof document.openapi).toBe('string');
    expect(document.openapi.startsWith('3.')).toBe(true);
    // The OpenAPI 3.0 JSON Schema, and every $ref resolves.
    await expect(SwaggerParser.validate(structuredClone(document) as never)).resolves.toBeDefined();
    expect(Object.keys(document.components?.securitySchemes ?? {}).sort()).toEqual(['AdminBasic', 'ApplicationSecret', 'MasterSecret']);
    for (const scheme of Object.values(document.components?.securitySchemes ?? {})) {
      expect(scheme).toMatchObject({ type: 'http', scheme: 'basic' });
    }
  });

  it('the docs stay public whatever the credentials, while the API behind the guard does not', async () => {
    const wrong = anonymous.as('no-such-application', 'wrong-secret');
    expect((await wrong.get('/docs-json')).status).toBe(200);
    expect((await wrong.get('/docs')).status).toBe(200);
    const refused = await anonymous.get('/device');
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toMatch(/^Basic /);
  });

  it('GET /docs serves Swagger UI (HTML and its assets) without credentials', async () => {
    const page = await anonymous.get<string>('/docs');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.body).toContain('swagger-ui');
    const init = await anonymous.get<string>('/docs/swagger-ui-init.js');
    expect(init.status).toBe(200);
    expect(init.body).toContain('"openapi"');
    const css = await anonymous.get('/docs/swagger-ui.css');
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toMatch(/text\/css/);
  });

  it('documents every route of the controllers: method, credentials, body schema, errors in the Error schema', () => {
    const routes = apiRoutes();
    expect(routes.length).toBeGreaterThan(40);
    const problems: string[] = [];
    for (const route of routes) {
      const template = openApiPath(route);
      const documented = operation(route.method.toLowerCase(), template);
      if (!documented) {
        problems.push(`${route.id}: not documented (as ${route.method} ${template})`);
        continue;
      }
      const expected = route.accepts.map((kind) => SCHEMES[kind]).sort();
      const requirements = documented.security ?? document.security ?? [];
      const named = requirements.map((requirement) => Object.keys(requirement));
      if (expected.length === 0) problems.push(`${route.id}: declares no credential`);
      if (named.length === 0) problems.push(`${route.id}: no security requirement`);
      if (named.some((names) => names.length !== 1 || !expected.includes(names[0]))) {
        problems.push(`${route.id}: security ${JSON.stringify(requirements)} does not match its credentials ${route.accepts.join(', ')}`);
      }
      if ([...new Set(named.flat())].sort().join() !== expected.join()) {
        problems.push(`${route.id}: security ${JSON.stringify(requirements)} does not offer every credential it accepts (${route.accepts.join(', ')})`);
      }
      const responses = documented.responses as Record<string, OpenAPIV3.ResponseObject>;
      const errors = Object.entries(responses).filter(([status, response]) => {
        const schema = response.content?.['application/json']?.schema as OpenAPIV3.ReferenceObject | undefined;
        return /^4\d\d$/.test(status) && schema?.$ref === ERROR_REF;
      });
      if (errors.length === 0) problems.push(`${route.id}: no 4xx response with the Error schema`);
      if (!responses['401']?.headers?.['WWW-Authenticate']) problems.push(`${route.id}: 401 without WWW-Authenticate`);
      if (!Object.keys(responses).some((status) => /^2\d\d$/.test(status))) problems.push(`${route.id}: no success response`);
      const pathParameters = (documented.parameters ?? []) as OpenAPIV3.ParameterObject[];
      for (const name of template.match(/\{([^}]+)\}/g) ?? []) {
        if (!pathParameters.some((parameter) => parameter.in === 'path' && `{${parameter.name}}` === name && parameter.required)) {
          problems.push(`${route.id}: path parameter ${name} not documented`);
        }
      }
      const body = bodyTypeOf(route);
      if ((route.method === 'PUT' || route.method === 'POST') && body !== undefined) {
        const content = (documented.requestBody as OpenAPIV3.RequestBodyObject | undefined)?.content?.['application/json'];
        if (!content?.schema) {
          problems.push(`${route.id}: takes a body but documents no request body schema`);
        } else if (typeof body === 'function' && body !== Object) {
          const reference = (content.schema as OpenAPIV3.ReferenceObject).$ref;
          const component = reference && document.components?.schemas?.[reference.replace('#/components/schemas/', '')];
          if (!component || Object.keys((component as OpenAPIV3.SchemaObject).properties ?? {}).length === 0) {
            problems.push(`${route.id}: body ${body.name} has no component schema with properties (${reference})`);
          }
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('documents only routes the controllers have (besides health and metrics)', () => {
    const routes = new Set(apiRoutes().map((route) => `${route.method.toLowerCase()} ${openApiPath(route)}`));
    const documented = Object.entries(document.paths).flatMap(([template, item]) =>
      METHODS.filter((method) => (item as Record<string, unknown>)[method]).map((method) => `${method} ${template}`),
    );
    const extra = documented.filter((id) => !routes.has(id) && !/ \/(health\/|metrics$)/.test(id));
    expect(extra).toEqual([]);
  });

  it('states the error answers and write headers: 400 with fields, 401, 403, 404, 413, 422, 429 with Retry-After, Prefer and Idempotency-Key with 202', () => {
    const error = document.components?.schemas?.Error as OpenAPIV3.SchemaObject;
    expect(error.required).toEqual(expect.arrayContaining(['status', 'code', 'message']));
    expect(Object.keys(error.properties ?? {})).toEqual(expect.arrayContaining(['status', 'code', 'message', 'fields']));

    const responses = (method: string, template: string) => operation(method, template)?.responses as Record<string, OpenAPIV3.ResponseObject>;
    const example = (response: OpenAPIV3.ResponseObject) => response.content?.['application/json']?.example as Record<string, unknown>;

    const write = responses('put', '/user/foruserid/{userID}');
    expect(example(write['400'])).toMatchObject({ status: 400, code: 'VALIDATION_FAILED', fields: [expect.objectContaining({ field: expect.any(String) })] });
    expect(example(write['401'])).toMatchObject({ status: 401, code: 'UNAUTHORIZED' });
    expect(write['403']).toBeDefined();
    expect(example(write['413'])).toMatchObject({ status: 413 });
    expect(example(write['422'])).toMatchObject({ status: 422, code: 'IDEMPOTENCY_KEY_REUSED' });
    expect(write['429'].headers?.['Retry-After']).toBeDefined();
    expect(write['202'].headers?.Location).toBeDefined();
    expect(example(responses('get', '/device/{deviceID}')['404'])).toMatchObject({ status: 404, code: 'DEVICE_NOT_FOUND' });
    expect(example(responses('put', '/email/{deviceID}')['404'])).toMatchObject({ status: 404, code: 'RECIPIENT_NOT_FOUND' });
    // The admin credential is not rate limited per application.
    expect(responses('get', '/admin/applications')['429']).toBeUndefined();

    // Every write (it takes Prefer, Idempotency-Key and X-Correlation-Id) documents 202 and 422; reads take none.
    let writes = 0;
    for (const [template, item] of Object.entries(document.paths)) {
      for (const method of METHODS) {
        const documented = (item as Record<string, OpenAPIV3.OperationObject | undefined>)[method];
        if (!documented) continue;
        const headers = ((documented.parameters ?? []) as OpenAPIV3.ParameterObject[]).filter((parameter) => parameter.in === 'header').map((parameter) => parameter.name);
        if (method === 'get') {
          expect([template, headers]).toEqual([template, []]);
          continue;
        }
        if (!headers.includes('Idempotency-Key')) continue;
        writes++;
        expect([template, method, headers.sort()]).toEqual([template, method, ['Idempotency-Key', 'Prefer', 'X-Correlation-Id']]);
        expect([template, method, Object.keys(documented.responses).filter((status) => ['202', '422'].includes(status))]).toEqual([template, method, ['202', '422']]);
      }
    }
    expect(writes).toBeGreaterThan(25);
  });

  it("keeps the references' path spelling, credentials and answers where a route exists there", () => {
    const problems: string[] = [];
    for (const expected of REFERENCE_ROUTES) {
      const documented = operation(expected.method, expected.path);
      if (!documented) {
        problems.push(`${expected.method} ${expected.path}: missing`);
        continue;
      }
      const scheme = expected.sdk ? 'ApplicationSecret' : 'MasterSecret';
      if (!(documented.security ?? []).some((requirement) => scheme in requirement)) {
        problems.push(`${expected.method} ${expected.path}: does not accept the reference's ${scheme}`);
      }
      const statuses = Object.keys(documented.responses).filter((status) => /^2\d\d$/.test(status)).map(Number);
      for (const status of expected.statuses) {
        if (!statuses.includes(status)) problems.push(`${expected.method} ${expected.path}: no ${status} answer (has ${statuses.join(', ')})`);
      }
      if (expected.message) {
        const ok = (documented.responses['200'] ?? documented.responses['201']) as OpenAPIV3.ResponseObject;
        const content = ok.content?.['application/json'];
        if ((content?.schema as OpenAPIV3.ReferenceObject | undefined)?.$ref !== '#/components/schemas/ResponseMessage') {
          problems.push(`${expected.method} ${expected.path}: 200 is not a ResponseMessage`);
        }
        if ((content?.example as { message?: string } | undefined)?.message !== expected.message) {
          problems.push(`${expected.method} ${expected.path}: message ${JSON.stringify(content?.example)} is not "${expected.message}"`);
        }
      }
    }
    // With the reference documents at hand: any of their operations this API has (the same method
    // and path shape) is documented under the reference's own spelling.
    const files = REFERENCE_FILES.filter((file) => existsSync(file));
    const ours = Object.entries(document.paths).flatMap(([template, item]) =>
      METHODS.filter((method) => (item as Record<string, unknown>)[method]).map((method) => ({ method, template })),
    );
    for (const file of files) {
      for (const reference of referenceOperations(file)) {
        const same = ours.filter((candidate) => candidate.method === reference.method && shape(candidate.template) === shape(reference.path));
        if (same.length > 0 && !same.some((candidate) => candidate.template === reference.path)) {
          problems.push(`${reference.method} ${reference.path} (${path.basename(file)}) is documented as ${same.map((candidate) => candidate.template).join(', ')}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });
});
