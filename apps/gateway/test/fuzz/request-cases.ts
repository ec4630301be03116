import fc from 'fast-check';
import type { CredentialKind } from '../../src/auth/auth.guard';
import {
  INJECTIONS,
  UNICODE_EDGES,
  contentTypes,
  duplicateKeys,
  headerSafe,
  hugeString,
  invalidValue,
  malformedJson,
  nastyString,
  nestedArrays,
  pathSegment,
  percentEncode,
  schemaType,
  toJsonText,
  validValue,
} from './arbitraries';
import { FuzzRoute, Schema, fillTemplate } from './openapi-routes';

export interface BasicCredential {
  user: string;
  password: string;
}

/** What the fuzzer knows of the running stack: a credential of each kind, and ids that exist. */
export interface FuzzContext {
  credentials: Record<CredentialKind, BasicCredential>;
  /** Ids that exist for a path parameter of a route (a registered device, a contact, a field key…). */
  known(route: FuzzRoute, parameter: string): string[];
  bodyLimitBytes: number;
}

/** How a case authenticates: with a credential the route accepts, or wrongly. */
export type CredentialUse = 'right' | 'none' | 'malformed' | 'unknown-key' | 'wrong-secret' | 'wrong-kind';

/** How a case's body was made (for the summary and for reading a counterexample). */
export type BodyKind =
  | 'none'
  | 'valid'
  | 'wrong-type'
  | 'nasty-string'
  | 'huge-field'
  | 'random-json'
  | 'malformed-json'
  | 'missing-body'
  | 'duplicate-keys'
  | 'content-type'
  | 'body-limit'
  | 'unexpected-body';

export interface FuzzCase {
  route: string;
  method: FuzzRoute['method'];
  /** Path and query, as sent (already encoded where needed). */
  path: string;
  headers: Record<string, string>;
  body?: string;
  credential: CredentialUse;
  bodyKind: BodyKind;
}

interface Body {
  kind: BodyKind;
  text?: string;
  contentType?: string;
}

const JSON_TYPE = 'application/json';

/** Every request the fuzzer may send to `route`. */
export function requestCase(route: FuzzRoute, context: FuzzContext): fc.Arbitrary<FuzzCase> {
  return fc
    .record({
      body: bodyOf(route, context),
      path: pathOf(route, context),
      headers: documentedHeaders(route),
      auth: authorization(route, context),
    })
    .map(({ body, path, headers, auth }) => {
      const all: Record<string, string> = { ...headers };
      if (auth.header !== undefined) all.authorization = auth.header;
      if (body.contentType !== undefined) all['content-type'] = body.contentType;
      return {
        route: route.id,
        method: route.method,
        path,
        headers: all,
        ...(body.text !== undefined ? { body: body.text } : {}),
        credential: auth.use,
        bodyKind: body.kind,
      };
    });
}

/**
 * Requests that must be refused whatever the state: a body that is not JSON or not an object of
 * the route's shape, a required field of the wrong type, a content type the API does not take, a
 * body over the limit, or a wrong credential. For the no-state-change property.
 */
export function rejectedCase(route: FuzzRoute, context: FuzzContext): fc.Arbitrary<FuzzCase> {
  const takesBody = route.body !== undefined;
  const validBody = route.body ? validValue(route.body) : fc.constant({});
  const required = route.body ? requiredFields(route.body) : [];
  const refusedBodies: fc.Arbitrary<Body>[] = [];
  if (takesBody) {
    refusedBodies.push(
      // An empty body is no body (the gateway takes it so), not malformed JSON: see `missing-body`.
      malformedJson(validBody)
        .filter((text) => text !== '' && !parses(text))
        .map((text) => ({ kind: 'malformed-json' as const, text, contentType: JSON_TYPE })),
      fc.constantFrom('text/plain', 'application/xml', 'application/octet-stream', 'multipart/form-data; boundary=----x').chain((contentType) =>
        validBody.map((value) => ({ kind: 'content-type' as const, text: JSON.stringify(value), contentType })),
      ),
      fc.constantFrom(context.bodyLimitBytes + 1, context.bodyLimitBytes * 2).map((size) => ({
        kind: 'body-limit' as const,
        text: paddedObject(size),
        contentType: JSON_TYPE,
      })),
    );
  }
  if (required.length > 0) {
    // No body where fields are required; with a JSON content type, as the reference's clients send it.
    refusedBodies.push(fc.constant({ kind: 'missing-body' as const, text: '', contentType: JSON_TYPE }));
    // A required field whose value cannot be coerced into anything valid: an operator object, an array, a number.
    refusedBodies.push(
      fc
        .tuple(validBody, fc.constantFrom(...required), fc.constantFrom<unknown>({ $ne: null }, [[]], nestedArrays(3)))
        .map(([value, field, wrong]) => ({ kind: 'wrong-type' as const, text: toJsonText({ ...(value as object), [field]: wrong }), contentType: JSON_TYPE })),
    );
  }
  const wrongAuth = route.accepts.length === 0 ? undefined : wrongAuthorization(route, context);
  const withRefusedBody = fc.record({
    body: refusedBodies.length > 0 ? fc.oneof(...refusedBodies) : fc.constant<Body>({ kind: 'none' }),
    path: pathOf(route, context, { knownOnly: true }),
    auth: rightAuthorization(route, context),
  });
  const withWrongAuth = fc.record({
    body: bodyOf(route, context, { validOnly: true }),
    path: pathOf(route, context, { knownOnly: true }),
    auth: wrongAuth ?? rightAuthorization(route, context),
  });
  const arbitraries = [...(refusedBodies.length > 0 ? [withRefusedBody] : []), ...(wrongAuth ? [withWrongAuth] : [])];
  if (arbitraries.length === 0) throw new Error(`${route.id}: nothing can be refused`);
  return fc.oneof(...arbitraries).map(({ body, path, auth }) => ({
    route: route.id,
    method: route.method,
    path,
    headers: {
      ...(auth.header !== undefined ? { authorization: auth.header } : {}),
      ...(body.contentType !== undefined ? { 'content-type': body.contentType } : {}),
    },
    ...(body.text !== undefined ? { body: body.text } : {}),
    credential: auth.use,
    bodyKind: body.kind,
  }));
}

/** Whether a route can be sent something it must refuse. */
export function canBeRefused(route: FuzzRoute): boolean {
  return route.accepts.length > 0 || route.body !== undefined;
}

/** Whether the gateway's JSON parser takes the text (it ignores a leading byte order mark, as RFC 8259 allows). */
function parses(text: string): boolean {
  try {
    JSON.parse(text.replace(/^\uFEFF/, ''));
    return true;
  } catch {
    return false;
  }
}

function requiredFields(schema: Schema): string[] {
  if (schema.oneOf) return [];
  return (schema.required ?? []).filter((field) => schemaType((schema.properties?.[field] ?? {}) as Schema) !== 'any');
}

// ---------------------------------------------------------------------------------------------
// Bodies

/** Every field a body documents, to one level of nesting, with its schema: `name`, `location.coordinates`, `userData.<key>`. */
export function fieldsOf(schema: Schema, prefix: string[] = [], depth = 0): { path: string[]; schema: Schema }[] {
  if (depth > 2) return [];
  if (schema.oneOf) return schema.oneOf.flatMap((part) => fieldsOf(part as Schema, prefix, depth));
  const own = Object.entries((schema.properties ?? {}) as Record<string, Schema>).flatMap(([key, value]) => [
    { path: [...prefix, key], schema: value },
    ...(schemaType(value) === 'object' ? fieldsOf(value, [...prefix, key], depth + 1) : []),
    ...(schemaType(value) === 'array' && 'items' in value && value.items && schemaType(value.items as Schema) === 'object'
      ? fieldsOf(value.items as Schema, [...prefix, key, '0'], depth + 1)
      : []),
  ]);
  const additional = typeof schema.additionalProperties === 'object' ? [{ path: [...prefix, 'firstName'], schema: schema.additionalProperties as Schema }] : [];
  return [...own, ...additional];
}

/** `value` with `path` set to `replacement` (creating the containers on the way). */
export function withField(value: unknown, path: string[], replacement: unknown): unknown {
  const root: Record<string, unknown> = value && typeof value === 'object' && !Array.isArray(value) ? structuredClone(value as Record<string, unknown>) : {};
  let cursor: Record<string, unknown> = root;
  for (const [index, key] of path.entries()) {
    if (index === path.length - 1) {
      cursor[key] = replacement;
      break;
    }
    const next = cursor[key];
    const container = next && typeof next === 'object' ? (next as Record<string, unknown>) : /^\d+$/.test(path[index + 1]) ? ([] as unknown as Record<string, unknown>) : {};
    cursor[key] = container;
    cursor = container;
  }
  return root;
}

function stringFields(schema: Schema): string[][] {
  return fieldsOf(schema)
    .filter((field) => schemaType(field.schema) === 'string' || field.schema.oneOf)
    .map((field) => field.path);
}

/** A JSON object text of exactly `size` bytes: `{"padding":"xxx…"}`. */
function paddedObject(size: number): string {
  const frame = '{"padding":""}'.length;
  return `{"padding":"${'x'.repeat(Math.max(0, size - frame))}"}`;
}

function bodyOf(route: FuzzRoute, context: FuzzContext, options: { validOnly?: boolean } = {}): fc.Arbitrary<Body> {
  const json = (kind: BodyKind) => (value: unknown): Body => ({ kind, text: toJsonText(value), contentType: JSON_TYPE });
  if (!route.body) {
    if (options.validOnly || route.method === 'GET' || route.method === 'DELETE') {
      return fc.oneof(
        { weight: 9, arbitrary: fc.constant<Body>({ kind: 'none' }) },
        {
          weight: 1,
          arbitrary: fc
            .tuple(fc.oneof(fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v)), malformedJson(fc.jsonValue())), contentTypes)
            .map(([text, contentType]) => ({ kind: 'unexpected-body' as const, text, contentType: contentType ?? JSON_TYPE })),
        },
      );
    }
    // A write that takes no body (cleartags): nothing, or anything.
    return fc.oneof(
      { weight: 5, arbitrary: fc.constant<Body>({ kind: 'none' }) },
      { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }).map(json('random-json')) },
      { weight: 2, arbitrary: malformedJson(fc.jsonValue()).map((text) => ({ kind: 'malformed-json' as const, text, contentType: JSON_TYPE })) },
      { weight: 1, arbitrary: fc.tuple(fc.jsonValue().map((v) => JSON.stringify(v)), contentTypes).map(([text, contentType]) => ({ kind: 'content-type' as const, text, contentType })) },
    );
  }
  const schema = route.body;
  const valid = validValue(schema);
  if (options.validOnly) return valid.map(json('valid'));
  const fields = fieldsOf(schema);
  const strings = stringFields(schema);
  const choices: { weight: number; arbitrary: fc.Arbitrary<Body> }[] = [
    { weight: 4, arbitrary: valid.map(json('valid')) },
    { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 3 }).map(json('random-json')) },
    { weight: 4, arbitrary: malformedJson(valid).map((text) => ({ kind: 'malformed-json' as const, text, contentType: JSON_TYPE })) },
    { weight: 2, arbitrary: duplicateKeys(schema, valid).map((text) => ({ kind: 'duplicate-keys' as const, text, contentType: JSON_TYPE })) },
    {
      weight: 3,
      arbitrary: fc
        .tuple(fc.oneof(valid.map((v) => JSON.stringify(v)), fc.constantFrom('a=1&b=2', '<xml/>', '--x\r\n')), contentTypes)
        .map(([text, contentType]) => ({ kind: 'content-type' as const, text, contentType })),
    },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom(context.bodyLimitBytes - 1, context.bodyLimitBytes, context.bodyLimitBytes + 1, context.bodyLimitBytes * 2)
        .map((size) => ({ kind: 'body-limit' as const, text: paddedObject(size), contentType: JSON_TYPE })),
    },
  ];
  if (fields.length > 0) {
    choices.push({
      weight: 10,
      arbitrary: fc
        .tuple(valid, fc.constantFrom(...fields).chain((field) => invalidValue(field.schema).map((wrong) => [field.path, wrong] as const)))
        .map(([value, [path, wrong]]) => withField(value, path, wrong))
        .map(json('wrong-type')),
    });
    const huge = fields.filter((field) => ['string', 'array', 'object'].includes(schemaType(field.schema)));
    if (huge.length > 0) {
      choices.push({
        weight: 2,
        arbitrary: fc
          .tuple(
            valid,
            fc.constantFrom(...huge).chain((field) => {
              const type = schemaType(field.schema);
              const value: fc.Arbitrary<unknown> =
                type === 'string'
                  ? hugeString(field.schema.maxLength)
                  : type === 'array'
                    ? fc.constantFrom((field.schema.maxItems ?? 100) + 1, 10_000).map((length) => Array.from({ length }, (_, index) => `v${index}`))
                    : fc.constantFrom(201, 5_000).map((count) => Object.fromEntries(Array.from({ length: count }, (_, index) => [`k${index}`, 'v'])));
              return value.map((wrong) => [field.path, wrong] as const);
            }),
          )
          .map(([value, [path, wrong]]) => withField(value, path, wrong))
          .map(json('huge-field')),
      });
    }
  }
  if (strings.length > 0) {
    choices.push({
      weight: 5,
      arbitrary: fc
        .tuple(valid, fc.constantFrom(...strings), nastyString)
        .map(([value, path, nasty]) => withField(value, path, nasty))
        .map(json('nasty-string')),
    });
  }
  return fc.oneof(...choices);
}

// ---------------------------------------------------------------------------------------------
// Path, query, headers

/** Path segments that attack the router or the id's use: traversal, injection, unicode, huge, empty. */
const attackSegment: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...INJECTIONS).map(pathSegment) },
  { weight: 3, arbitrary: fc.constantFrom(...UNICODE_EDGES).map(percentEncode) },
  { weight: 2, arbitrary: nastyString.map(percentEncode) },
  { weight: 1, arbitrary: fc.constantFrom(255, 256, 257, 512, 513, 5_000).map((length) => 'x'.repeat(length)) },
  { weight: 1, arbitrary: fc.constantFrom('', '.', '%2F', '%5C', '%20', '+', '%2B', '%3B', ';x=1', 'a/b') },
);

function pathOf(route: FuzzRoute, context: FuzzContext, options: { knownOnly?: boolean } = {}): fc.Arbitrary<string> {
  const values = Object.fromEntries(
    route.pathParameters.map((parameter) => {
      const known = context.known(route, parameter.name);
      const schemaValid = validValue(parameter.schema).map((value) => percentEncode(String(value)));
      const choices: { weight: number; arbitrary: fc.Arbitrary<string> }[] = [];
      if (known.length > 0) choices.push({ weight: 4, arbitrary: fc.constantFrom(...known) });
      if (!options.knownOnly || known.length === 0) {
        choices.push({ weight: 2, arbitrary: schemaValid });
        if (!options.knownOnly) choices.push({ weight: 4, arbitrary: attackSegment });
      }
      return [parameter.name, fc.oneof(...choices)] as const;
    }),
  );
  return fc.tuple(fc.record(values), options.knownOnly ? fc.constant('') : queryOf(route)).map(([filled, query]) => `${fillTemplate(route.template, filled)}${query}`);
}

/** A query string: documented parameters left out, valid, or attacked; repeated; unknown ones. */
function queryOf(route: FuzzRoute): fc.Arbitrary<string> {
  const attack = fc.oneof(
    fc.constantFrom('-1', '0', '1.5', '1e309', 'NaN', '', '[]', '{}', 'true', '999999999999999999999', '0x10', '%201', '1%20', '1+'),
    nastyString.map(percentEncode),
    fc.constantFrom(...INJECTIONS).map(pathSegment),
  );
  const parameters = route.query.map((parameter) =>
    fc.option(
      fc.oneof(
        validValue(parameter.schema).map((value) => [`${parameter.name}=${percentEncode(String(value))}`]),
        attack.map((value) => [`${parameter.name}=${value}`]),
        fc.tuple(attack, attack).map(([a, b]) => [`${parameter.name}=${a}`, `${parameter.name}=${b}`]),
        attack.map((value) => [`${parameter.name}[$ne]=${value}`]),
      ),
      { freq: 2 },
    ),
  );
  const extra = fc.option(
    fc.constantFrom('__proto__[x]=1', 'constructor[prototype][x]=1', 'a=%', 'a', '&&&', '=', 'x=%00', 'userID[$ne]=1'),
    { freq: 4 },
  );
  return fc.tuple(fc.tuple(...parameters), extra).map(([chosen, more]) => {
    const parts = [...chosen.flatMap((value) => value ?? []), ...(more === null ? [] : [more])];
    return parts.length === 0 ? '' : `?${parts.join('&')}`;
  });
}

function documentedHeaders(route: FuzzRoute): fc.Arbitrary<Record<string, string>> {
  const entries = route.headers.map((header) =>
    fc
      .option(
        fc.oneof(
          validValue(header.schema).map((value) => String(value)),
          nastyString.map(headerSafe),
          fc.constantFrom(255, 256, 4_000).map((length) => 'k'.repeat(length)),
          fc.constantFrom('respond-async, wait=1', 'RESPOND-ASYNC', 'handling=lenient', 'return=minimal', ''),
        ),
        { freq: 2 },
      )
      .map((value) => (value === null ? [] : [[header.name.toLowerCase(), value] as const])),
  );
  return fc.tuple(...entries).map((chosen) => Object.fromEntries(chosen.flat()));
}

// ---------------------------------------------------------------------------------------------
// Credentials

const hex = (length: number) => fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: length, maxLength: length });

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;

function rightAuthorization(route: FuzzRoute, context: FuzzContext): fc.Arbitrary<{ use: CredentialUse; header?: string }> {
  if (route.accepts.length === 0) return fc.constant({ use: 'right' as const });
  return fc.constantFrom(...route.accepts).map((kind) => ({ use: 'right' as const, header: basic(context.credentials[kind].user, context.credentials[kind].password) }));
}

function authorization(route: FuzzRoute, context: FuzzContext): fc.Arbitrary<{ use: CredentialUse; header?: string }> {
  const right = rightAuthorization(route, context);
  if (route.accepts.length === 0) return right;
  return fc.oneof({ weight: 6, arbitrary: right }, { weight: 1, arbitrary: wrongAuthorization(route, context) });
}

/** No credential, a malformed one, an unknown key, a wrong secret, or a kind the route does not accept. */
function wrongAuthorization(route: FuzzRoute, context: FuzzContext): fc.Arbitrary<{ use: CredentialUse; header?: string }> {
  const own = context.credentials[route.accepts[0]];
  const otherKinds = (['admin', 'master', 'sdk'] as const).filter((kind) => !route.accepts.includes(kind));
  const wrong: fc.Arbitrary<{ use: CredentialUse; header?: string }>[] = [
    fc.constant({ use: 'none' as const }),
    fc
      .constantFrom('Basic', 'Basic ', 'Basic !!!', 'Bearer abc', 'basic Og==', `Basic ${Buffer.from('nocolon').toString('base64')}`, `Basic ${Buffer.from(':').toString('base64')}`, 'Basic ====', 'Digest x')
      .map((header) => ({ use: 'malformed' as const, header })),
    fc
      .oneof(hex(40), nastyString, fc.constantFrom('x'.repeat(2_000), 'admin\u0000', 'ADMIN', ' admin'))
      .filter((user) => user.length > 0 && !user.includes(':') && user !== own.user && user !== 'admin')
      .map((user) => ({ use: 'unknown-key' as const, header: basic(user, own.password) })),
    fc.oneof(nastyString, hex(64)).map((password) => ({
      use: 'wrong-secret' as const,
      header: basic(own.user, password === own.password ? `${password}x` : password),
    })),
  ];
  if (otherKinds.length > 0) {
    wrong.push(fc.constantFrom(...otherKinds).map((kind) => ({ use: 'wrong-kind' as const, header: basic(context.credentials[kind].user, context.credentials[kind].password) })));
  }
  return fc.oneof(...wrong);
}
