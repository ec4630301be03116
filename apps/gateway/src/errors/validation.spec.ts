import { Type } from 'class-transformer';
import { IsArray, IsInt, IsOptional, IsString, Min } from 'class-validator';
import { ApiError } from './api-error';
import { MAX_BODY_DEPTH, apiValidationPipe, nestedDeeperThan } from './validation';

class TagsBody {
  @IsArray()
  @IsString({ each: true })
  tags!: string[];
}

/** `[[[…]]]` `depth` levels deep, as JSON.parse would give it. */
function nested(depth: number): unknown {
  return JSON.parse(`${'['.repeat(depth)}${']'.repeat(depth)}`);
}

describe('the validation pipe and deeply nested bodies', () => {
  const pipe = apiValidationPipe();

  // Found by the gateway fuzzer: {"tags": [[[…5000 levels…]]]} (10 kB) overflowed class-transformer's stack: 500.
  it('refuses a body nested deeper than the limit with a 400, before class-transformer recurses into it', async () => {
    const refused = pipe.transform({ tags: nested(5_000) }, { type: 'body', metatype: TagsBody });
    await expect(refused).rejects.toBeInstanceOf(ApiError);
    await expect(refused).rejects.toMatchObject({ response: { status: 400, code: 'BODY_TOO_DEEP' } });
    // The same for a body the handler reads itself (`@Body() body: unknown`).
    await expect(pipe.transform({ userData: { a: nested(100) } }, { type: 'body', metatype: Object })).rejects.toMatchObject({
      response: { code: 'BODY_TOO_DEEP' },
    });
  });

  it('lets bodies up to the limit through to validation as before', async () => {
    await expect(pipe.transform({ tags: ['a', 'b'] }, { type: 'body', metatype: TagsBody })).resolves.toEqual({ tags: ['a', 'b'] });
    await expect(pipe.transform({ tags: nested(MAX_BODY_DEPTH - 1) }, { type: 'body', metatype: TagsBody })).rejects.toMatchObject({
      response: { code: 'VALIDATION_FAILED' },
    });
  });

  it('measures depth without recursing, whatever the depth', () => {
    expect(nestedDeeperThan(nested(200_000), MAX_BODY_DEPTH)).toBe(true);
    expect(nestedDeeperThan(nested(MAX_BODY_DEPTH), MAX_BODY_DEPTH)).toBe(false);
    expect(nestedDeeperThan(nested(MAX_BODY_DEPTH + 1), MAX_BODY_DEPTH)).toBe(true);
    // The object, a, b and b's element: four levels.
    expect(nestedDeeperThan({ a: { b: [{ c: 1 }] }, d: 'x' }, 4)).toBe(false);
    expect(nestedDeeperThan({ a: { b: [{ c: 1 }] }, d: 'x' }, 3)).toBe(true);
    expect(nestedDeeperThan('text', 0)).toBe(false);
    expect(nestedDeeperThan(null, 0)).toBe(false);
  });
});

describe('the validation pipe and what no field accepts', () => {
  const pipe = apiValidationPipe();

  class NameBody {
    @IsString()
    name!: string;
  }

  const fieldsOf = async (value: unknown, type: 'body' | 'query' = 'body', metatype: new () => unknown = NameBody) => {
    try {
      await pipe.transform(value, { type, metatype });
    } catch (error) {
      return (error as ApiError).getResponse();
    }
    throw new Error('accepted');
  };

  // Found by the gateway fuzzer: {"userName": "\ud800"} and {"name": "…\u0000…"} reached PostgreSQL, which refused them: 500.
  it('refuses strings with NUL or an unpaired surrogate, in values and keys, naming the field', async () => {
    expect(await fieldsOf({ name: "'; drop table users; --\u0000" })).toMatchObject({ status: 400, code: 'VALIDATION_FAILED', fields: [{ field: 'name' }] });
    expect(await fieldsOf({ name: '\ud800' })).toMatchObject({ fields: [{ field: 'name' }] });
    expect(await fieldsOf({ name: 'a\udc00' })).toMatchObject({ fields: [{ field: 'name' }] });
    expect(await fieldsOf({ userData: { firstName: ['ok', 'x\u0000'] } }, 'body', Object)).toMatchObject({ fields: [{ field: 'userData.firstName.1' }] });
    expect(await fieldsOf({ 'a\u0000b': 1 }, 'body', Object)).toMatchObject({ fields: [{ field: 'a?b' }] });
    expect(await fieldsOf({ medium: '\u0000' }, 'query', Object)).toMatchObject({ fields: [{ field: 'medium' }] });
    // Text is fine, emoji (paired surrogates), RTL, zero-width and combining marks included.
    await expect(pipe.transform({ name: '👩‍👩‍👧 \u202Eabc \u200B e\u0301 مرحبا' }, { type: 'body', metatype: NameBody })).resolves.toMatchObject({ name: expect.any(String) });
  });

  // Found by the gateway fuzzer: PUT /user/foruserid/U1 with Content-Type text/plain validated the text as {} and cleared the name.
  it('refuses a body that is not a JSON object (a text/plain body arrives as a string)', async () => {
    for (const body of ['{}', '{"name":"x"}', 'text', 7, true, ['a']]) {
      expect(await fieldsOf(body)).toMatchObject({ status: 400, code: 'VALIDATION_FAILED', fields: [{ field: 'body' }] });
    }
    // No body at all stays as it was (an empty object to the DTO).
    await expect(pipe.transform(undefined, { type: 'body', metatype: Object })).resolves.toBeUndefined();
  });
});

describe('the validation pipe and query numbers', () => {
  const pipe = apiValidationPipe();

  class SkipQuery {
    @IsOptional()
    @Type(() => Number)
    @IsInt()
    @Min(0)
    skip?: number;
  }

  // Found by the gateway fuzzer: GET /user?skip=999999999999999999999 reached PostgreSQL as 1e+21: 500.
  it('refuses a number beyond 2^53 - 1, whatever the DTO says', async () => {
    await expect(pipe.transform({ skip: '999999999999999999999' }, { type: 'query', metatype: SkipQuery })).rejects.toMatchObject({
      response: { status: 400, code: 'VALIDATION_FAILED', fields: [{ field: 'skip' }] },
    });
    await expect(pipe.transform({ skip: String(Number.MAX_SAFE_INTEGER) }, { type: 'query', metatype: SkipQuery })).resolves.toEqual({ skip: Number.MAX_SAFE_INTEGER });
    await expect(pipe.transform({ skip: '25' }, { type: 'query', metatype: SkipQuery })).resolves.toEqual({ skip: 25 });
  });
});

describe('the validation pipe and reserved keys', () => {
  const pipe = apiValidationPipe();

  // Found by the gateway fuzzer: {"userData": {"constructor": []}} made class-transformer fail (500).
  it('refuses an object key "constructor" or "__proto__" at any depth, naming it', async () => {
    for (const [value, field] of [
      [{ userData: { constructor: [] } }, 'userData.constructor'],
      [{ userData: { constructor: 'x' } }, 'userData.constructor'],
      [JSON.parse('{"a":[{"__proto__":{"polluted":true}}]}'), 'a.0.__proto__'],
    ] as const) {
      await expect(pipe.transform(value, { type: 'body', metatype: Object })).rejects.toMatchObject({
        response: { status: 400, code: 'VALIDATION_FAILED', fields: [expect.objectContaining({ field })] },
      });
    }
    // Through a DTO too, whose transformation class-transformer would otherwise attempt (and fail).
    class UserDataBody {
      @IsOptional()
      userData?: Record<string, unknown>;
    }
    await expect(pipe.transform({ userData: { constructor: [] } }, { type: 'body', metatype: UserDataBody })).rejects.toMatchObject({
      response: { status: 400, fields: [{ field: 'userData.constructor', message: '"constructor" is a reserved name' }] },
    });
    // As values, the words are fine.
    await expect(pipe.transform({ tags: ['constructor', '__proto__'] }, { type: 'body', metatype: Object })).resolves.toEqual({ tags: ['constructor', '__proto__'] });
  });
});
