import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import type { OpenAPIV3 } from 'openapi-types';
import type { CredentialKind } from '../../src/auth/auth.guard';
import { ApiClient, createApplication } from '@omni/testing';
import { schemaType, toJsonText, validValue } from '../fuzz/arbitraries';
import { FuzzClient, problemsOf } from '../fuzz/http';
import { FuzzRoute, Schema, fillTemplate, routesOf } from '../fuzz/openapi-routes';
import { FuzzCase, fieldsOf, withField } from '../fuzz/request-cases';

/** Far over every documented limit of a field (the largest are a few KiB), well under the body limit. */
const OVERSIZED_STRING_LENGTH = 64 * 1024;
const OVERSIZED_ITEMS = 10_000;
const OVERSIZED_KEYS = 5_000;
/** A path segment far over every identifier's limit, under Node's 16 KiB of request headers. */
const OVERSIZED_SEGMENT_LENGTH = 8 * 1024;

export interface OversizedReport {
  sent: number;
  routes: number;
  /** Answers by status; 0 = the gateway closed the connection on a body over its limit. */
  statuses: Map<number, number>;
  problems: string[];
  /** The slowest answers, slowest first: `<ms> ms <route> with <what> (<status>)`. */
  slowest: string[];
}

/** What `prepareOversizedWrites` made: the cases, ready to send. */
export interface OversizedWrites {
  routes: number;
  cases: { what: string; request: FuzzCase }[];
}

/**
 * Oversized values for every write route of the gateway's OpenAPI document: each field of its
 * body far over its limit (a long string, a long array, an object with thousands of keys), the
 * whole body over the body limit, each path parameter far over its length; addressed to what an
 * application of their own holds. Made ahead, so that sending them is all the burst does.
 */
export async function prepareOversizedWrites(gateway: string, adminSecret: string, bodyLimitBytes: number): Promise<OversizedWrites> {
  const document = await new ApiClient(gateway).get<OpenAPIV3.Document>('/docs-json');
  if (document.status !== 200) throw new Error(`/docs-json answered ${document.status}`);
  const routes = routesOf(document.body).filter((route) => route.method !== 'GET' && route.accepts.length > 0);
  const known = await seedApplication(gateway, adminSecret);
  return { routes: routes.length, cases: routes.flatMap((route) => casesOf(route, known, bodyLimitBytes)) };
}

/**
 * Sends every case once, one at a time, spread evenly over `overMs`: a steady stream from one
 * client, which a rate limit would let through, not a flood of a 2-core machine. Every answer
 * must be a 4xx with the API's error body (or, for a body over the limit, a closed connection);
 * an oversized value accepted, or a 5xx, is a problem.
 */
export async function sendOversizedWrites(gateway: string, writes: OversizedWrites, bodyLimitBytes: number, overMs: number): Promise<OversizedReport> {
  const client = new FuzzClient(gateway, 1, bodyLimitBytes);
  const statuses = new Map<number, number>();
  const problems: string[] = [];
  const timings: { ms: number; line: string }[] = [];
  const startedAt = Date.now();
  try {
    for (const [index, { what, request }] of writes.cases.entries()) {
      await sleep(startedAt + (index * overMs) / writes.cases.length - Date.now());
      const started = performance.now();
      const answer = await client.send(request);
      const ms = performance.now() - started;
      timings.push({ ms, line: `${Math.round(ms)} ms ${request.route} with ${what} (${answer.status || 'closed'})` });
      statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
      const wrong = problemsOf(request, answer);
      if (!answer.closed && (answer.status < 400 || answer.status >= 500)) wrong.push(`answered ${answer.status}: ${answer.text.slice(0, 160)}`);
      if (wrong.length > 0) problems.push(`${request.route} with ${what}: ${wrong.join('; ')}`);
    }
  } finally {
    await client.close();
  }
  const slowest = timings.sort((a, b) => b.ms - a.ms).slice(0, 3).map((timing) => timing.line);
  return { sent: writes.cases.length, routes: writes.routes, statuses, problems, slowest };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

interface KnownIds {
  credentials: Record<CredentialKind, string>;
  valueOf(route: FuzzRoute, parameter: string): string;
}

/** An application of the phase's own, with a user, a device, an email contact, an SMS number and a field to address. */
async function seedApplication(gateway: string, adminSecret: string): Promise<KnownIds> {
  const app = await createApplication(gateway, adminSecret, 'Oversized writes');
  const master = new ApiClient(gateway).as(app.applicationKey, app.masterSecret);
  const sdk = new ApiClient(gateway).as(app.applicationKey, app.applicationSecret);
  const ok = async <T>(answer: Promise<{ status: number; body: T }>, what: string): Promise<T> => {
    const { status, body } = await answer;
    if (status >= 300) throw new Error(`seeding ${what}: ${status} ${JSON.stringify(body)}`);
    return body;
  };
  const userID = `oversized-${randomBytes(4).toString('hex')}`;
  const deviceID = randomBytes(32).toString('hex');
  await ok(master.post('/application/userdatafields', { key: 'firstName', label: 'First name', type: 'text' }), 'a field');
  await ok(sdk.post('/device', { deviceID, platform: 'iOS', transport: 'APNS', language: 'en', userID }), 'a device');
  const email = await ok(master.post<{ device: { deviceID: string } }>('/email', { email: `${userID}@example.com`, userID }), 'an email contact');
  const sms = await ok(master.post<{ device: { deviceID: string } }>('/sms', { phone: `+3161${String(randomBytes(3).readUIntBE(0, 3) % 10_000_000).padStart(7, '0')}`, userID }), 'an SMS number');
  const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  return {
    credentials: {
      admin: basic('admin', adminSecret),
      master: basic(app.applicationKey, app.masterSecret),
      sdk: basic(app.applicationKey, app.applicationSecret),
    },
    valueOf: (route, parameter) => {
      if (parameter === 'applicationKey') return app.applicationKey;
      if (parameter === 'userID') return userID;
      if (parameter === 'key') return 'firstName';
      if (route.template.startsWith('/email/')) return email.device.deviceID;
      if (route.template.startsWith('/sms/')) return sms.device.deviceID;
      return deviceID;
    },
  };
}

function casesOf(route: FuzzRoute, known: KnownIds, bodyLimitBytes: number): { what: string; request: FuzzCase }[] {
  const kind = (['master', 'sdk', 'admin'] as const).find((candidate) => route.accepts.includes(candidate))!;
  const parameters = Object.fromEntries(route.pathParameters.map(({ name }) => [name, encodeURIComponent(known.valueOf(route, name))]));
  const request = (what: string, path: string, body: unknown, bodyKind: FuzzCase['bodyKind'] = 'huge-field') => ({
    what,
    request: {
      route: route.id,
      method: route.method,
      path,
      headers: { authorization: known.credentials[kind], ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: toJsonText(body) }),
      credential: 'right' as const,
      bodyKind,
    },
  });
  const path = fillTemplate(route.template, parameters);
  // A body of several forms (oneOf: the flat and the wrapped user data) is tried in each.
  const forms = route.body ? (route.body.oneOf as Schema[] | undefined) ?? [route.body] : [];
  const fields = forms.flatMap((form) => {
    const base = validSample(form);
    const whole = oversized(form);
    return [
      ...(whole === undefined ? [] : [request(`a body of ${OVERSIZED_KEYS} keys`, path, whole)]),
      ...fieldsOf(form).flatMap(({ path: field, schema }) => {
        const value = oversized(schema);
        return value === undefined ? [] : [request(`an oversized ${field.join('.')}`, path, withField(base, field, value))];
      }),
    ];
  });
  const base = forms.length > 0 ? validSample(forms[0]) : undefined;
  const overLimit = base !== undefined ? [request('a body over the limit', path, withField(base, ['padding'], 'x'.repeat(bodyLimitBytes)), 'body-limit')] : [];
  const segments = route.pathParameters.map(({ name }) =>
    request(`an oversized {${name}}`, fillTemplate(route.template, { ...parameters, [name]: 'x'.repeat(OVERSIZED_SEGMENT_LENGTH) }), base),
  );
  return [...fields, ...overLimit, ...segments];
}

function validSample(schema: Schema): unknown {
  return fc.sample(validValue(schema), { numRuns: 1, seed: 1 })[0];
}

/**
 * A value of the field's type far over any limit; undefined for a type without a size (number,
 * boolean) and for an object of declared properties (each is tried on its own; unknown ones are
 * ignored by the API).
 */
function oversized(schema: Schema): unknown {
  switch (schemaType(schema)) {
    case 'string':
    case 'any':
      return 'x'.repeat(OVERSIZED_STRING_LENGTH);
    case 'array': {
      const items = 'items' in schema && schema.items ? (schema.items as Schema) : {};
      const item = schemaType(items) === 'string' ? 'tag' : schemaType(items) === 'number' || schemaType(items) === 'integer' ? 1 : {};
      return Array.from({ length: OVERSIZED_ITEMS }, () => item);
    }
    case 'object':
      if (typeof schema.additionalProperties !== 'object') return undefined;
      return Object.fromEntries(Array.from({ length: OVERSIZED_KEYS }, (_, index) => [`k${index}`, 'v']));
    case 'boolean':
    case 'integer':
    case 'number':
      return undefined;
  }
}
