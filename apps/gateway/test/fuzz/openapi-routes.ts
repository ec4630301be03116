import type { OpenAPIV3 } from 'openapi-types';
import type { CredentialKind } from '../../src/auth/auth.guard';

/** A JSON schema of the document with every `$ref` inlined and `allOf` merged. */
export type Schema = OpenAPIV3.SchemaObject;

/** One operation of the running gateway, as its OpenAPI document describes it. */
export interface FuzzRoute {
  /** `PUT /device/{deviceID}` */
  id: string;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** `/device/{deviceID}` */
  template: string;
  /** The credential kinds the route accepts; empty for a public route (health, metrics). */
  accepts: CredentialKind[];
  pathParameters: { name: string; schema: Schema }[];
  query: { name: string; schema: Schema }[];
  headers: { name: string; schema: Schema }[];
  /** The JSON body it takes, if any. */
  body?: Schema;
}

/** The security scheme of each credential kind (apps/gateway/src/openapi). */
const KIND_OF_SCHEME: Record<string, CredentialKind> = { AdminBasic: 'admin', MasterSecret: 'master', ApplicationSecret: 'sdk' };
const METHODS = ['get', 'put', 'post', 'delete'] as const;

/**
 * Every operation of the document the gateway serves at /docs-json. The fuzzer takes its routes
 * from here, so a route added to a controller is fuzzed without touching the test.
 */
export function routesOf(document: OpenAPIV3.Document): FuzzRoute[] {
  const resolve = resolver(document);
  return Object.entries(document.paths).flatMap(([template, item]) =>
    METHODS.flatMap((method) => {
      const operation = (item as Record<string, OpenAPIV3.OperationObject | undefined>)[method];
      if (!operation) return [];
      const parameters = ((operation.parameters ?? []) as OpenAPIV3.ParameterObject[]).map((parameter) => ({
        in: parameter.in,
        name: parameter.name,
        schema: resolve(parameter.schema ?? { type: 'string' }),
      }));
      const requirements = operation.security ?? document.security ?? [];
      const accepts = [...new Set(requirements.flatMap((requirement) => Object.keys(requirement)).map((scheme) => KIND_OF_SCHEME[scheme]))];
      if (accepts.some((kind) => kind === undefined)) throw new Error(`${method} ${template}: unknown security scheme`);
      const bodySchema = (operation.requestBody as OpenAPIV3.RequestBodyObject | undefined)?.content?.['application/json']?.schema;
      const upper = method.toUpperCase() as FuzzRoute['method'];
      return [
        {
          id: `${upper} ${template}`,
          method: upper,
          template,
          accepts,
          pathParameters: parameters.filter((p) => p.in === 'path'),
          query: parameters.filter((p) => p.in === 'query'),
          headers: parameters.filter((p) => p.in === 'header'),
          ...(bodySchema ? { body: resolve(bodySchema) } : {}),
        },
      ];
    }),
  );
}

/** A route's path with its parameters replaced (each value is put in the path as given: encode it first). */
export function fillTemplate(template: string, values: Record<string, string>): string {
  return template.replace(/\{([^}]+)\}/g, (_, name: string) => values[name] ?? 'x');
}

function resolver(document: OpenAPIV3.Document): (schema: OpenAPIV3.SchemaObject | OpenAPIV3.ReferenceObject) => Schema {
  const resolve = (schema: OpenAPIV3.SchemaObject | OpenAPIV3.ReferenceObject, depth = 0): Schema => {
    if (depth > 20) throw new Error('schema nested too deep (a cycle?)');
    if ('$ref' in schema) {
      const name = schema.$ref.replace('#/components/schemas/', '');
      const target = document.components?.schemas?.[name];
      if (!target) throw new Error(`unresolved ${schema.$ref}`);
      return resolve(target, depth + 1);
    }
    const out: Schema = { ...schema } as Schema;
    if (schema.allOf) {
      const merged = schema.allOf.map((part) => resolve(part, depth + 1)).reduce<Schema>((all, part) => ({ ...all, ...part }), {});
      delete out.allOf;
      Object.assign(out, merged, schema.nullable ? { nullable: true } : {});
    }
    if (schema.oneOf) out.oneOf = schema.oneOf.map((part) => resolve(part, depth + 1));
    if (schema.properties) {
      out.properties = Object.fromEntries(Object.entries(schema.properties).map(([key, value]) => [key, resolve(value, depth + 1)]));
    }
    if ('items' in schema && schema.items) (out as OpenAPIV3.ArraySchemaObject).items = resolve(schema.items, depth + 1);
    if (typeof schema.additionalProperties === 'object') out.additionalProperties = resolve(schema.additionalProperties, depth + 1);
    return out;
  };
  return resolve;
}
