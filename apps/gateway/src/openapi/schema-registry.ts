import 'reflect-metadata';
import type { ReferenceObject, SchemaObject } from '@nestjs/swagger';
import { ValidationTypes, getMetadataStorage } from 'class-validator';
import type { ValidationMetadata } from 'class-validator/types/metadata/ValidationMetadata';
import { defaultMetadataStorage } from 'class-transformer/cjs/storage';
import { validationMetadataArrayToSchemas } from 'class-validator-jsonschema';
import type { ISchemaConverters } from 'class-validator-jsonschema/build/defaultConverters';

export type Schema = SchemaObject | ReferenceObject;
type Class = abstract new (...args: never[]) => unknown;

export const SCHEMA_REF_PREFIX = '#/components/schemas/';

export function ref(name: string): ReferenceObject {
  return { $ref: `${SCHEMA_REF_PREFIX}${name}` };
}

export function isReference(schema: Schema | undefined): schema is ReferenceObject {
  return typeof schema === 'object' && schema !== null && '$ref' in schema;
}

const SCALAR_TYPES: unknown[] = [String, Number, Boolean];

/**
 * JSON Schemas (OpenAPI 3.0 flavour) of the DTO classes, read from their class-validator metadata
 * by class-validator-jsonschema, with converters for the custom validators of this code base and
 * a few corrections:
 * - `@IsOptional()` → not required and `nullable` (class-validator skips null as it skips undefined);
 * - `{ each: true }` on a scalar property (e.g. IsTag on `tag: string`) validates the value itself,
 *   so it does not make the property an array;
 * - `@ValidateNested()` + `@Type(() => X)` → `$ref` to X, which is then converted too;
 * - Min/Max do not force `type: number` over `@IsInt()`'s `integer`.
 * Every class gets one component under its own name (a numeric suffix if two classes share one).
 */
export class SchemaRegistry {
  private readonly names = new Map<Class, string>();
  private readonly schemas = new Map<string, SchemaObject>();
  private readonly pending: Class[] = [];

  /** A `$ref` to the component of `type` (converted on `components()`). */
  refTo(type: Class): ReferenceObject {
    return ref(this.nameOf(type));
  }

  /** Add a hand-written component schema. */
  define(name: string, schema: SchemaObject): ReferenceObject {
    this.schemas.set(name, schema);
    return ref(name);
  }

  /** The converted schema of a class (not registered as a component; nested classes are). */
  schemaOf(type: Class): SchemaObject {
    return this.convert(type);
  }

  /** Every component: the hand-written ones and each class referred to (transitively). */
  components(): Record<string, SchemaObject> {
    while (this.pending.length > 0) {
      const type = this.pending.shift() as Class;
      const name = this.nameOf(type);
      if (!this.schemas.has(name)) this.schemas.set(name, this.convert(type));
    }
    return Object.fromEntries([...this.schemas.entries()].sort(([a], [b]) => a.localeCompare(b)));
  }

  private nameOf(type: Class): string {
    const known = this.names.get(type);
    if (known) return known;
    const base = type.name || 'Anonymous';
    const used = new Set([...this.names.values(), ...this.schemas.keys()]);
    let name = base;
    for (let suffix = 2; used.has(name); suffix++) name = `${base}${suffix}`;
    this.names.set(type, name);
    this.pending.push(type);
    return name;
  }

  private convert(type: Class): SchemaObject {
    const storage = getMetadataStorage();
    const metadatas = storage.getTargetValidationMetadatas(type as unknown as new () => unknown, '', true, false).map((meta) => {
      const named: ValidationMetadata = { ...meta } as ValidationMetadata;
      if (meta.constraintCls) {
        const constraint = storage.getTargetValidatorConstraints(meta.constraintCls)[0];
        if (constraint) named.type = constraint.name;
      }
      if (meta.each && SCALAR_TYPES.includes(designType(meta))) named.each = false;
      return named;
    });
    if (metadatas.length === 0) return { type: 'object' };
    const all = validationMetadataArrayToSchemas(metadatas, {
      refPointerPrefix: SCHEMA_REF_PREFIX,
      classTransformerMetadataStorage: defaultMetadataStorage,
      additionalConverters: this.converters(),
    }) as Record<string, SchemaObject>;
    const schema = structuredClone(ownSchema(all, type) ?? { type: 'object' });
    const optional = new Set(metadatas.filter((meta) => meta.name === 'isOptional').map((meta) => meta.propertyName));
    for (const [property, value] of Object.entries(schema.properties ?? {})) {
      const cleaned = clean(value);
      (schema.properties as Record<string, Schema>)[property] = optional.has(property) ? nullable(cleaned) : cleaned;
    }
    return schema;
  }

  private converters(): ISchemaConverters {
    const nested = (meta: ValidationMetadata): Schema => {
      const typeMeta = defaultMetadataStorage.findTypeMetadata(meta.target as Class, meta.propertyName);
      const child = (typeMeta ? typeMeta.typeFunction() : designType(meta)) as unknown;
      if (typeof child !== 'function' || child === Object || child === Array) return { type: 'object' };
      if (SCALAR_TYPES.includes(child)) return { type: child === String ? 'string' : child === Number ? 'number' : 'boolean' };
      return this.refTo(child as Class);
    };
    const converters: Record<string, (meta: ValidationMetadata) => Schema> = {
      [ValidationTypes.NESTED_VALIDATION]: nested,
      // A custom validator this code base does not describe: the property's declared type, if plain.
      [ValidationTypes.CUSTOM_VALIDATION]: (meta) => {
        const type = designType(meta);
        if (type === String) return { type: 'string' };
        if (type === Number) return { type: 'number' };
        if (type === Boolean) return { type: 'boolean' };
        if (type === Array) return { type: 'array', items: {} };
        return {};
      },
      [ValidationTypes.IS_DEFINED]: () => ({}),
      min: (meta) => ({ minimum: meta.constraints[0] as number }),
      max: (meta) => ({ maximum: meta.constraints[0] as number }),
      isUserDataMap: (meta) => userDataMapSchema(acceptsNull(meta)),
      isRecipientAddress: (meta) =>
        meta.constraints[0] === 'sms'
          ? {
              type: 'string',
              description: 'Phone number: international (`+31612345678`, `0031612345678`), or national with `region` (`0612345678` with `"region": "NL"`).',
              example: '+31612345678',
            }
          : { type: 'string', format: 'email', description: 'Email address (normalised: trimmed, domain lower-cased).', example: 'john.doe@example.com' },
      isRegionCode: () => ({ type: 'string', pattern: '^[A-Za-z]{2}$', description: 'ISO 3166-1 alpha-2 country code (stored upper-case).', example: 'NL' }),
      isTimeZone: () => ({ type: 'string', maxLength: 64, description: 'IANA time zone.', example: 'Europe/Amsterdam' }),
      isLongitudeLatitude: () => ({
        type: 'array',
        items: { type: 'number' },
        minItems: 2,
        maxItems: 2,
        description: '[longitude (-180..180), latitude (-90..90)]',
        example: [4.9041, 52.3676],
      }),
    };
    return converters as unknown as ISchemaConverters;
  }
}

/** The user data map of the API: field keys to scalars (null clears a field where allowed). */
export function userDataMapSchema(allowNull = true): SchemaObject {
  return {
    type: 'object',
    description:
      "User data: the application's user data field keys (a letter, then letters, digits or _, at most 64) to values" +
      (allowNull ? '; null clears a field.' : '.'),
    maxProperties: 200,
    additionalProperties: {
      oneOf: [{ type: 'string', maxLength: 1024 }, { type: 'number' }, { type: 'boolean' }],
      ...(allowNull ? { nullable: true } : {}),
    },
    example: { firstName: 'John', lastName: 'Doe' },
  };
}

function designType(meta: ValidationMetadata): unknown {
  const target = meta.target as { prototype?: object } | undefined;
  return target?.prototype ? Reflect.getMetadata('design:type', target.prototype, meta.propertyName) : undefined;
}

/** Whether a custom validator accepts a null value in a map (asks the validator itself). */
function acceptsNull(meta: ValidationMetadata): boolean {
  try {
    const constraint = new (meta.constraintCls as new () => { validate(value: unknown, args: unknown): unknown })();
    return constraint.validate({ probe: null }, { value: { probe: null }, constraints: [], targetName: '', object: {}, property: meta.propertyName }) === true;
  } catch {
    return true;
  }
}

/** The schema of `type` among those converted: its own, else its nearest ancestor's (a DTO that only extends). */
function ownSchema(schemas: Record<string, SchemaObject>, type: Class): SchemaObject | undefined {
  for (let current: unknown = type; typeof current === 'function' && current !== Function.prototype; current = Object.getPrototypeOf(current)) {
    const name = (current as Class).name;
    if (name && schemas[name]) return schemas[name];
  }
  return undefined;
}

/** Drop what class-validator-jsonschema adds that OpenAPI 3.0 tooling dislikes (empty `items` next to real ones, etc.). */
function clean(schema: Schema): Schema {
  if (isReference(schema)) return schema;
  const copy: SchemaObject = { ...schema };
  if (copy.type !== 'array') delete copy.items;
  if (copy.type === 'array' && copy.items === undefined) copy.items = {};
  return copy;
}

function nullable(schema: Schema): Schema {
  if (isReference(schema)) return { allOf: [schema], nullable: true };
  return { ...schema, nullable: true };
}
