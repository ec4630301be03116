import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { OpenApiOptions, buildOpenApiDocument } from './openapi-document';

/** Swagger UI. */
export const DOCS_PATH = '/docs';
/** The OpenAPI document as JSON (and `/docs-yaml` as YAML). */
export const DOCS_JSON_PATH = '/docs-json';

/**
 * Generate the OpenAPI document now (a route it cannot describe fails the start-up, not a request)
 * and serve it, with Swagger UI, at /docs, /docs-json and /docs-yaml. SwaggerModule registers these
 * as plain Fastify routes (and @fastify/static for the UI's assets): Nest's guards, pipes and
 * filters do not run on them, so the global AuthGuard leaves them public by construction.
 */
export function setupOpenApi(app: NestFastifyApplication, options: OpenApiOptions = {}): OpenAPIObject {
  const document = buildOpenApiDocument(app, options);
  SwaggerModule.setup(DOCS_PATH, app, document, {
    jsonDocumentUrl: DOCS_JSON_PATH,
    yamlDocumentUrl: '/docs-yaml',
    customSiteTitle: 'Omnichannel Profiles API',
    swaggerOptions: { displayOperationId: true },
  });
  return document;
}
