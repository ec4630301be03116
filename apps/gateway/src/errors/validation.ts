import { ArgumentMetadata, ValidationError, ValidationPipe } from '@nestjs/common';
import { getMetadataStorage } from 'class-validator';
import { FieldError, flattenValidationErrors } from '@omni/contracts';
import { ApiError } from './api-error';

/**
 * How deeply a request body may nest arrays and objects. The deepest body the API takes
 * (`PUT /application/settings`: settings → userDataFields → field → values) nests 4 levels.
 */
export const MAX_BODY_DEPTH = 32;

/** The most items of any array in an input; the longest the API takes is a polygon's ring of 1,000 positions. */
export const MAX_ARRAY_ITEMS = 1_000;
/** The most keys of any object in an input; the largest the API takes is user data, 200 keys. */
export const MAX_OBJECT_KEYS = 1_000;

/**
 * The global pipe: unknown fields stripped, types transformed, and a 400 naming every bad field.
 *
 * Before the DTO rules, every body and query is checked for what no rule of a field can accept
 * and what would otherwise fail deep inside (all found by the gateway fuzzer, as 500s or worse):
 * - a body that is not a JSON object (a `text/plain` body arrives as a string, which Nest's
 *   ValidationPipe validated as an empty object: `PUT /user/foruserid/U1` with any text cleared
 *   the user's name);
 * - nesting deeper than MAX_BODY_DEPTH (class-transformer and class-validator recurse: a few
 *   thousand levels of `[[[…]]]` overflowed the stack);
 * - strings, keys included, holding NUL or an unpaired surrogate: PostgreSQL stores neither (text
 *   and jsonb refuse them), and they are not text anyway;
 * - the keys `constructor` and `__proto__` (RESERVED_KEYS);
 * - query numbers beyond what JavaScript and PostgreSQL take exactly (see checkQueryNumbers);
 * - arrays longer than their field allows (`@ArrayMaxSize` of the DTO's own fields) or than
 *   MAX_ARRAY_ITEMS anywhere, objects of more than MAX_OBJECT_KEYS keys: the DTO's rules would
 *   first transform and validate every item (an array of 10,000 empty objects held the event loop
 *   for a second, every tenant waiting).
 */
export function apiValidationPipe(): ValidationPipe {
  return new ApiValidationPipe({
    whitelist: true,
    transform: true,
    forbidUnknownValues: true,
    exceptionFactory: (errors: ValidationError[]) => invalid(flattenValidationErrors(errors)),
  });
}

class ApiValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type !== 'body' && metadata.type !== 'query') return super.transform(value, metadata);
    if (metadata.type === 'body' && value !== undefined && value !== null && (typeof value !== 'object' || Array.isArray(value))) {
      throw invalid([{ field: 'body', message: 'the body must be a JSON object (Content-Type: application/json)' }]);
    }
    const tooLarge = containersTooLarge(value, metadata.metatype);
    if (tooLarge.length > 0) throw invalid(tooLarge);
    const problem = inputProblem(value, MAX_BODY_DEPTH);
    if (problem === 'too-deep') {
      throw new ApiError(400, 'BODY_TOO_DEEP', `request body nests arrays and objects more than ${MAX_BODY_DEPTH} levels deep`);
    }
    if (!problem) return metadata.type === 'query' ? checkQueryNumbers(await super.transform(value, metadata)) : super.transform(value, metadata);
    // One 400 with the DTO's own complaints, if any, and these. What these refuse may also break
    // the DTO's transformation itself (a reserved key does): then these alone.
    let fields: FieldError[] = [];
    try {
      await super.transform(value, metadata);
    } catch (error) {
      if (error instanceof ApiError) fields = (error.getResponse() as { fields?: FieldError[] }).fields ?? [];
    }
    throw invalid([...fields, ...problem]);
  }
}

/**
 * Arrays of `value` longer than their field's `@ArrayMaxSize` (fields of `dto` itself) or than
 * MAX_ARRAY_ITEMS, objects of more than MAX_OBJECT_KEYS keys, down to MAX_BODY_DEPTH (deeper is
 * inputProblem's to refuse). Looked at first: a size is known without visiting the items.
 */
function containersTooLarge(value: unknown, dto: ArgumentMetadata['metatype']): FieldError[] {
  if (typeof value !== 'object' || value === null) return [];
  const fields: FieldError[] = [];
  const declared = new Map<string, number>();
  if (dto) {
    for (const rule of getMetadataStorage().getTargetValidationMetadatas(dto, '', true, false)) {
      if (rule.name === 'arrayMaxSize') declared.set(rule.propertyName, Number(rule.constraints[0]));
    }
  }
  const stack: { value: unknown; path: string; depth: number }[] = [{ value, path: '', depth: 0 }];
  while (stack.length > 0 && fields.length < 20) {
    const { value: current, path, depth } = stack.pop()!;
    if (typeof current !== 'object' || current === null || depth > MAX_BODY_DEPTH) continue;
    const limit = Math.min(MAX_ARRAY_ITEMS, declared.get(path) ?? Infinity);
    if (Array.isArray(current) && current.length > limit) {
      fields.push({ field: path || 'body', message: `must have at most ${limit} items` });
      continue;
    }
    const entries = Object.entries(current);
    if (!Array.isArray(current) && entries.length > MAX_OBJECT_KEYS) {
      fields.push({ field: path || 'body', message: `must have at most ${MAX_OBJECT_KEYS} keys` });
      continue;
    }
    for (const [key, child] of entries) {
      if (typeof child === 'object' && child !== null) stack.push({ value: child, path: path ? `${path}.${key}` : key, depth: depth + 1 });
    }
  }
  return fields;
}

/**
 * A number in a query (skip, limit) beyond ±2^53 − 1 is not a number JavaScript holds exactly nor
 * one PostgreSQL takes as it is serialised (`skip=999999999999999999999` became `1e+21`: 500).
 */
function checkQueryNumbers(query: unknown): unknown {
  if (typeof query !== 'object' || query === null) return query;
  const fields = Object.entries(query)
    .filter(([, value]) => typeof value === 'number' && Math.abs(value) > Number.MAX_SAFE_INTEGER)
    .map(([field]) => ({ field, message: `must be at most ${Number.MAX_SAFE_INTEGER}` }));
  if (fields.length > 0) throw invalid(fields);
  return query;
}

function invalid(fields: FieldError[]): ApiError {
  return new ApiError(400, 'VALIDATION_FAILED', `invalid request: ${[...new Set(fields.map((f) => f.field))].join(', ')}`, fields);
}

/**
 * Keys no object of a body may have: class-transformer takes an object's `constructor` property
 * for its class (`{"userData": {"constructor": []}}` failed inside it: 500), and `__proto__` is
 * prototype pollution (Fastify's JSON parser refuses it already; a query could carry it).
 */
export const RESERVED_KEYS: ReadonlySet<string> = new Set(['constructor', '__proto__']);

/** NUL, or a surrogate that is not half of a pair. */
const NOT_TEXT = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * What is wrong with a parsed input whatever its DTO says: nesting deeper than `maxDepth`, or
 * strings (keys too) that are not text, named by their dotted path. Iterative: safe on any depth.
 */
export function inputProblem(value: unknown, maxDepth: number): 'too-deep' | FieldError[] | undefined {
  const fields: FieldError[] = [];
  const stack: { value: unknown; depth: number; path: string }[] = [{ value, depth: 0, path: '' }];
  const name = (path: string, key: string) => (path ? `${path}.${key}` : key).replace(NOT_TEXT_GLOBAL, '?').slice(0, 120);
  while (stack.length > 0) {
    const { value: current, depth, path } = stack.pop() as { value: unknown; depth: number; path: string };
    if (typeof current === 'string') {
      if (NOT_TEXT.test(current)) fields.push({ field: path || 'body', message: 'must be text without NUL characters or unpaired surrogates' });
      continue;
    }
    if (typeof current !== 'object' || current === null) continue;
    if (depth + 1 > maxDepth) return 'too-deep';
    const entries: [string, unknown][] = Array.isArray(current) ? current.map((item, index) => [String(index), item]) : Object.entries(current);
    for (const [key, child] of entries) {
      if (NOT_TEXT.test(key)) fields.push({ field: name(path, key), message: 'keys must be text without NUL characters or unpaired surrogates' });
      if (!Array.isArray(current) && RESERVED_KEYS.has(key)) fields.push({ field: name(path, key), message: `"${key}" is a reserved name` });
      if ((typeof child === 'object' && child !== null) || typeof child === 'string') stack.push({ value: child, depth: depth + 1, path: name(path, key) });
    }
  }
  return fields.length > 0 ? fields.slice(0, 20) : undefined;
}

const NOT_TEXT_GLOBAL = new RegExp(NOT_TEXT.source, 'g');

/** Whether `value` nests arrays/objects more than `limit` levels (iterative: itself safe on any depth). */
export function nestedDeeperThan(value: unknown, limit: number): boolean {
  return inputProblem(value, limit) === 'too-deep';
}
