import { loadConfig } from '@omni/config';
import { createLogger } from '@omni/observability';
import { bootstrapService, runMain } from '@omni/runtime';
import { ProjectionServiceConfig } from './config';
import { ProjectionServiceModule } from './projection-service.module';

const logger = createLogger('projection-service');

runMain(logger, async () => {
  const config = loadConfig(ProjectionServiceConfig);
  logger.level = config.LOG_LEVEL;
  return bootstrapService({
    name: 'projection-service',
    module: ProjectionServiceModule.register(config, logger),
    logger,
    port: config.PORT,
    host: config.HOST,
    consume: true,
  });
});
