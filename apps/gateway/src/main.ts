import { loadConfig } from '@omni/config';
import { createLogger } from '@omni/observability';
import { bootstrapService, runMain } from '@omni/runtime';
import { GatewayConfig } from './config';
import { answerBadUrlsWithErrorBody } from './errors/bad-url';
import { acceptEmptyJsonBodies } from './errors/empty-json-body';
import { apiValidationPipe } from './errors/validation';
import { GatewayModule } from './gateway.module';
import { setupOpenApi } from './openapi';

const logger = createLogger('gateway');

runMain(logger, async () => {
  const config = loadConfig(GatewayConfig);
  logger.level = config.LOG_LEVEL;
  return bootstrapService({
    name: 'gateway',
    module: GatewayModule.register(config, logger),
    logger,
    port: config.PORT,
    host: config.HOST,
    validationPipe: apiValidationPipe(),
    bodyLimitBytes: config.BODY_LIMIT_BYTES,
    // The OpenAPI document, generated from the controllers now, at /docs (Swagger UI) and /docs-json;
    // bodiless JSON requests as the reference's clients send them; the error body for bad URLs.
    configure: (app) => {
      setupOpenApi(app, { bodyLimitBytes: config.BODY_LIMIT_BYTES });
      acceptEmptyJsonBodies(app);
      answerBadUrlsWithErrorBody(app.getHttpServer());
    },
  });
});
