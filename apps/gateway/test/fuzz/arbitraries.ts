import fc from 'fast-check';
import type { Schema } from './openapi-routes';

/**
 * Strings that break naive code: lone surrogates, bidi overrides, zero-width and invisible
 * characters, NUL and other controls, emoji sequences, stacked combining marks, and characters
 * whose case or normalisation changes their length.
 */
export const UNICODE_EDGES: readonly string[] = [
  '\uD800',
  '\uDFFF',
  'a\uD83Dz',
  '\uDC00\uD800',
  '\u202Eevil\u202C.txt',
  '\u200F\u05D0\u05D1\u05D2',
  'مرحبا بالعالم',
  '\u200B',
  '\u200C\u200D\u2060',
  '\uFEFF',
  '\u0000',
  'a\u0000b',
  '\u0000'.repeat(8),
  '👩‍👩‍👧‍👦',
  '🏳️‍🌈',
  '\u{1F600}\u{1F4A9}',
  'e\u0301',
  `Z${'\u0351\u0352\u0353\u0354\u0355\u0356\u0357\u0358'.repeat(40)}`,
  '\uFFFF\uFFFE',
  '\u2028\u2029',
  '\u0085\u00A0',
  'İıßﬀ',
  '\u001b[31mred',
  '\r\n\t',
  '\u007f\u0080\u009f',
  ' ',
  '',
];

/** Injection and traversal strings: SQL, NoSQL operators, shell, templates, paths, bad percent-encoding. */
export const INJECTIONS: readonly string[] = [
  "'; drop table users; --",
  "' OR '1'='1",
  '" OR 1=1 --',
  '1; SELECT pg_sleep(5)--',
  "'); NOTIFY omni_application_changed, 'x'; --",
  '$ne',
  '{"$ne":null}',
  '$where',
  '{"$gt":""}',
  '; rm -rf /',
  '$(reboot)',
  '`id`',
  '| cat /etc/passwd',
  '&& shutdown -h now',
  '../',
  '..',
  '../../etc/passwd',
  '..\\..\\windows\\win.ini',
  '%2e%2e',
  '%2e%2e%2f',
  '..%2f',
  '%252e%252e%252f',
  '....//',
  '%00',
  '%',
  '%zz',
  '%E0%A4%A',
  '%ED%A0%80',
  '%C0%AE%C0%AE',
  '${jndi:ldap://x/a}',
  '{{7*7}}',
  '<script>alert(1)</script>',
  '__proto__',
  'constructor',
  'prototype',
  'hasOwnProperty',
  'null',
  'undefined',
  'NaN',
  'true',
  '-1',
  '0',
  '1e309',
  '*',
  '\\',
];

/** Every nasty string, or any string at all (fast-check's binary unit includes lone surrogates). */
export const nastyString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...UNICODE_EDGES) },
  { weight: 3, arbitrary: fc.constantFrom(...INJECTIONS) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...UNICODE_EDGES), fc.constantFrom(...INJECTIONS)).map(([a, b]) => `${b}${a}${b}`) },
);

/** Lengths around and far above a limit. */
function hugeLength(max: number | undefined): fc.Arbitrary<number> {
  const around = max === undefined ? [] : [max, max + 1, max * 2 + 1];
  return fc.constantFrom(...around, 4_096, 65_537, 300_000);
}

/** A string of `length` made of one character, or of a repeated nasty unit. */
export function hugeString(max?: number): fc.Arbitrary<string> {
  return fc
    .tuple(hugeLength(max), fc.constantFrom('x', 'é', '😀', '\u0000', '\u200B', "'", 'a\u0301'))
    .map(([length, unit]) => unit.repeat(Math.max(1, Math.ceil(length / unit.length))));
}

/** The JSON type a schema describes; `any` when it does not say. */
export type SchemaType = NonNullable<Schema['type']> | 'any';

export function schemaType(schema: Schema): SchemaType {
  if (schema.type) return schema.type;
  if (schema.properties || schema.additionalProperties) return 'object';
  return 'any';
}

/** A value the schema accepts (as far as a JSON schema can say: patterns are honoured, formats approximated). */
export function validValue(schema: Schema, depth = 0): fc.Arbitrary<unknown> {
  const base = validNonNull(schema, depth);
  return schema.nullable ? fc.oneof({ weight: 5, arbitrary: base }, { weight: 1, arbitrary: fc.constant(null) }) : base;
}

function validNonNull(schema: Schema, depth: number): fc.Arbitrary<unknown> {
  if (schema.enum) return fc.constantFrom(...(schema.enum as unknown[]));
  if (schema.oneOf) return fc.oneof(...schema.oneOf.map((part) => validValue(part as Schema, depth + 1)));
  switch (schemaType(schema)) {
    case 'string':
      return validString(schema);
    case 'integer':
      return fc.integer({ min: schema.minimum ?? -1_000_000, max: schema.maximum ?? 1_000_000 });
    case 'number':
      return fc.double({ min: schema.minimum ?? -1e6, max: schema.maximum ?? 1e6, noNaN: true, noDefaultInfinity: true });
    case 'boolean':
      return fc.boolean();
    case 'array': {
      const items = 'items' in schema && schema.items ? (schema.items as Schema) : ({ type: 'string' } as Schema);
      const array = fc.array(validValue(items, depth + 1), {
        minLength: schema.minItems ?? 0,
        maxLength: Math.min(schema.maxItems ?? 3, Math.max(schema.minItems ?? 0, 3)),
      });
      return schema.uniqueItems ? array.map((values) => [...new Set(values.map((v) => JSON.stringify(v)))].map((v) => JSON.parse(v) as unknown)) : array;
    }
    case 'object': {
      if (depth > 4) return fc.constant({});
      const properties = (schema.properties ?? {}) as Record<string, Schema>;
      const model = Object.fromEntries(Object.entries(properties).map(([key, value]) => [key, validValue(value, depth + 1)]));
      const record = fc.record(model, { requiredKeys: (schema.required ?? []).filter((key) => key in model) });
      if (typeof schema.additionalProperties !== 'object') return record;
      const extra = fc.dictionary(fc.stringMatching(/^[A-Za-z][A-Za-z0-9_]{0,20}$/), validValue(schema.additionalProperties as Schema, depth + 1), {
        maxKeys: 3,
      });
      return fc.tuple(record, extra).map(([known, more]) => ({ ...more, ...known }));
    }
    case 'any':
      return fc.jsonValue({ maxDepth: 2 });
  }
}

function validString(schema: Schema): fc.Arbitrary<string> {
  const min = schema.minLength ?? 0;
  const max = Math.min(schema.maxLength ?? 64, 256);
  const fits = (value: string) => value.length >= min && value.length <= (schema.maxLength ?? Infinity);
  if (schema.format === 'email') return fc.emailAddress().filter(fits);
  if (schema.format === 'uuid') return fc.uuid();
  if (schema.pattern) {
    const pattern = new RegExp(schema.pattern, 'u');
    try {
      return fc.stringMatching(pattern).filter(fits);
    } catch {
      // fast-check cannot generate from this pattern (\p{…}, look-arounds): generate, keep what matches.
      return fc
        .oneof(fc.string({ unit: 'grapheme', minLength: Math.max(min, 1), maxLength: Math.min(max, 40) }), fc.constantFrom('tag', 'U123', 'a-b_c'))
        .filter((value) => fits(value) && pattern.test(value));
    }
  }
  return fc.string({ unit: 'grapheme', minLength: min, maxLength: Math.min(max, 40) }).filter(fits);
}

/** Values of every JSON type but the schema's, and values of its type just outside its limits. */
export function invalidValue(schema: Schema): fc.Arbitrary<unknown> {
  const type = schemaType(schema);
  const options: fc.Arbitrary<unknown>[] = [];
  if (type !== 'string') options.push(nastyString);
  if (type !== 'number' && type !== 'integer') options.push(fc.constantFrom(0, -1, 1.5, 1e308, -1e308, 2 ** 53 + 1, -0));
  if (type !== 'boolean') options.push(fc.boolean());
  if (type !== 'array') options.push(fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 3 }));
  if (type !== 'object') options.push(fc.constantFrom({ $ne: null }, { $gt: '' }, {}, JSON.parse('{"__proto__":{"polluted":true}}') as unknown));
  if (!schema.nullable) options.push(fc.constant(null));
  switch (type) {
    case 'string':
      options.push(hugeString(schema.maxLength));
      if (schema.minLength) options.push(fc.constant(''));
      if (schema.enum) options.push(fc.constantFrom(...(schema.enum as string[]).flatMap((value) => [value.toUpperCase(), ` ${value}`, `${value}\u0000`])));
      if (schema.pattern || schema.format) options.push(fc.constantFrom(...INJECTIONS, ...UNICODE_EDGES));
      break;
    case 'integer':
    case 'number':
      options.push(fc.constantFrom(String(schema.minimum ?? 1), '1e309', 'NaN', 'Infinity'));
      if (schema.minimum !== undefined) options.push(fc.constantFrom(schema.minimum - 1, schema.minimum - 0.0001, -1e308));
      if (schema.maximum !== undefined) options.push(fc.constantFrom(schema.maximum + 1, schema.maximum + 0.0001, 1e308));
      if (type === 'integer') options.push(fc.constant(0.5));
      break;
    case 'boolean':
      options.push(fc.constantFrom('true', 'false', 1, 0, 'yes'));
      break;
    case 'array': {
      const items = 'items' in schema && schema.items ? (schema.items as Schema) : ({ type: 'string' } as Schema);
      options.push(fc.array(invalidValue(items), { minLength: 1, maxLength: 3 }));
      options.push(fc.constantFrom(schema.maxItems ?? 100, 10_000).map((length) => Array.from({ length: length + 1 }, (_, index) => `t${index}`)));
      if (schema.minItems) options.push(fc.constant([]));
      options.push(fc.constantFrom(nestedArrays(200), nestedArrays(5_000)));
      break;
    }
    case 'object':
      options.push(fc.constant(Object.fromEntries(Array.from({ length: (schema.maxProperties ?? 200) + 1 }, (_, index) => [`k${index}`, index]))));
      options.push(fc.dictionary(nastyString, fc.jsonValue({ maxDepth: 1 }), { minKeys: 1, maxKeys: 3 }));
      options.push(fc.constantFrom({ nested: nestedArrays(200) }, { nested: { deeper: { deepest: { x: [{}] } } } }));
      break;
    case 'any':
      break;
  }
  return fc.oneof(...options);
}

/**
 * `[[[…]]]` `depth` deep, in the JSON text only: the value holds a marker that `toJsonText`
 * expands, because fast-check (printing, shrinking) and JSON.stringify recurse on real values.
 */
export function nestedArrays(depth: number): string {
  return `\u0001nested:${depth}\u0001`;
}

/** JSON.stringify, with nestedArrays markers expanded. */
export function toJsonText(value: unknown): string {
  return (JSON.stringify(value) ?? 'null').replace(/"\\u0001nested:(\d+)\\u0001"/g, (_, depth: string) => `${'['.repeat(Number(depth))}${']'.repeat(Number(depth))}`);
}

/** JSON texts that are not JSON, or barely: truncated documents, wrong nesting, JavaScript-isms. */
export function malformedJson(valid: fc.Arbitrary<unknown>): fc.Arbitrary<string> {
  const truncated = fc
    .tuple(valid, fc.nat())
    .map(([value, cut]) => {
      const text = JSON.stringify(value) ?? '{}';
      return text.length <= 1 ? '{' : text.slice(0, cut % (text.length - 1) + 1);
    });
  const wrongNesting = fc
    .tuple(valid, fc.nat(), fc.constantFrom('}', ']', '{', '[', ',', ':', '"'))
    .map(([value, at, inserted]) => {
      const text = JSON.stringify(value) ?? '{}';
      const index = at % (text.length + 1);
      return `${text.slice(0, index)}${inserted}${text.slice(index)}`;
    });
  const classics = fc.constantFrom(
    '{"a":[1,2}',
    '[{"a":1]}',
    '{"a":{"b":1}',
    '{]',
    '{"a" 1}',
    '{,}',
    "{'a':1}",
    '{"a":1,}',
    '[1,2,]',
    'NaN',
    'Infinity',
    '-',
    '"unterminated',
    '\uFEFF{}',
    '{"a":01}',
    '{"a":1e99999}',
    '{"a":"\\x41"}',
    '{"a":"\\ud800"}',
    '{"a":"\\u0000"}',
    '{"a":undefined}',
    '{a:1}',
    '/* comment */ {}',
    '{"a":1} {"b":2}',
    '{"a":1}garbage',
    '',
    ' ',
    'null',
    'true',
    '0',
    '"string"',
    '[]',
    '{}',
    `${'['.repeat(100_000)}${']'.repeat(100_000)}`,
    `{"a":${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}}`,
  );
  return fc.oneof(truncated, wrongNesting, classics);
}

/**
 * An object's JSON text with a key written twice (the second value wrong), or with prototype
 * keys: `{"userID":"a","userID":{"$ne":null}}`, `{"__proto__":{…}}`, `{"constructor":{"prototype":…}}`.
 */
export function duplicateKeys(schema: Schema | undefined, valid: fc.Arbitrary<unknown>): fc.Arbitrary<string> {
  const keys = Object.keys(schema?.properties ?? {});
  const duplicated = fc
    .tuple(valid, keys.length > 0 ? fc.constantFrom(...keys) : fc.constant('userData'), fc.jsonValue({ maxDepth: 2 }), fc.boolean())
    .map(([value, key, other, first]) => {
      const text = JSON.stringify(value && typeof value === 'object' && !Array.isArray(value) ? value : {});
      const extra = `${JSON.stringify(key)}:${JSON.stringify(other ?? null)}`;
      if (text === '{}') return `{${extra},${extra}}`;
      return first ? `{${extra},${text.slice(1)}` : `${text.slice(0, -1)},${extra}}`;
    });
  const prototype = fc.constantFrom(
    '{"__proto__":{"isAdmin":true}}',
    '{"a":1,"__proto__":{"userData":{"x":1}}}',
    '{"constructor":{"prototype":{"polluted":true}}}',
    '{"userData":{"__proto__":{"polluted":true}}}',
    '{"userData":{"constructor":{"prototype":{"polluted":true}}}}',
    '{"tags":["__proto__"],"__proto__":[]}',
  );
  return fc.oneof({ weight: 3, arbitrary: duplicated }, { weight: 1, arbitrary: prototype });
}

/** Content types a JSON API should refuse (or handle): none, other media, broken parameters, other charsets. */
export const contentTypes: fc.Arbitrary<string | undefined> = fc.constantFrom(
  undefined,
  '',
  'text/plain',
  'text/plain; charset=utf-8',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=----x',
  'application/xml',
  'application/octet-stream',
  'application/json; charset=utf-16',
  'application/json; charset=latin1',
  'application/json;;;',
  'APPLICATION/JSON',
  'application/jsonx',
  'application/vnd.api+json',
  'application/merge-patch+json',
  'application/*',
  '*/*',
  'json',
  'application/json, text/plain',
  'application/json; boundary="',
);

/** A path segment: percent-encoded where the raw text could not travel in a request line. */
export function pathSegment(value: string): string {
  if (/^[\x21-\x7e]*$/.test(value) && !value.includes('#')) return value;
  return percentEncode(value);
}

/** encodeURIComponent, with lone surrogates sent as the UTF-8 bytes of U+FFFD (what a client can send). */
export function percentEncode(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    return [...Buffer.from(value, 'utf8')]
      .map((byte) => (/[A-Za-z0-9\-_.~]/.test(String.fromCharCode(byte)) ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`))
      .join('');
  }
}

/** A header value that can travel on the wire (visible ASCII, space, tab and Latin-1), from any string. */
export function headerSafe(value: string): string {
  return [...value].map((char) => (/[\t\x20-\x7e\xa0-\xff]/.test(char) ? char : '?')).join('');
}
