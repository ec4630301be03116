import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsInt, IsOptional, IsString, Min, ValidateNested } from 'class-validator';
import { ApiError } from './api-error';
import { MAX_ARRAY_ITEMS, MAX_BODY_DEPTH, MAX_OBJECT_KEYS, apiValidationPipe, nestedDeeperThan } from './validation';

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

describe('the validation pipe and large arrays and objects', () => {
  const pipe = apiValidationPipe();

  class Item {
    @IsString()
    name!: string;
  }

  class ItemsBody {
    @IsArray()
    @ArrayMaxSize(3)
    @ValidateNested({ each: true })
    @Type(() => Item)
    items!: Item[];

    @IsOptional()
    @IsArray()
    free?: unknown[];
  }

  const fieldsOf = (value: unknown) =>
    pipe.transform(value, { type: 'body', metatype: ItemsBody }).then(
      () => undefined,
      (error: ApiError) => (error.getResponse() as { fields: unknown[] }).fields,
    );

  // Found by the fault suite (#25): 10,000 empty objects in userDataFields (ArrayMaxSize 200) took a
  // second of the gateway's event loop, each item transformed and validated before the size was.
  it("refuses an array over its field's limit before an item is transformed or validated", async () => {
    // Only the array named: not one complaint about an item's missing name.
    expect(await fieldsOf({ items: Array.from({ length: 200_000 }, () => ({})) })).toEqual([{ field: 'items', message: 'must have at most 3 items' }]);
    expect(await fieldsOf({ items: [{ name: 'a' }, { name: 'b' }, { name: 'c' }] })).toBeUndefined();
  });

  it(`refuses any array over ${MAX_ARRAY_ITEMS} items, at any depth, naming it`, async () => {
    expect(await fieldsOf({ items: [], free: [[], Array(MAX_ARRAY_ITEMS + 1).fill(1)] })).toEqual([{ field: 'free.1', message: `must have at most ${MAX_ARRAY_ITEMS} items` }]);
    expect(await fieldsOf({ items: [], free: [Array(MAX_ARRAY_ITEMS).fill(1)] })).toBeUndefined();
  });

  it(`refuses any object of more than ${MAX_OBJECT_KEYS} keys, at any depth, naming it`, async () => {
    const keys = (count: number) => Object.fromEntries(Array.from({ length: count }, (_, index) => [`k${index}`, index]));
    expect(await fieldsOf({ items: [], free: [keys(MAX_OBJECT_KEYS + 1)] })).toEqual([{ field: 'free.0', message: `must have at most ${MAX_OBJECT_KEYS} keys` }]);
    expect(await fieldsOf({ items: [], free: [keys(MAX_OBJECT_KEYS)] })).toBeUndefined();
    expect(await fieldsOf({ ...keys(MAX_OBJECT_KEYS), items: [] })).toEqual([{ field: 'body', message: `must have at most ${MAX_OBJECT_KEYS} keys` }]);
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
