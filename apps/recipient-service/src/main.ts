import { loadConfig } from '@omni/config';
import { createLogger } from '@omni/observability';
import { bootstrapService, runMain } from '@omni/runtime';
import { RecipientServiceConfig } from './config';
import { RecipientServiceModule } from './recipient-service.module';

const logger = createLogger('recipient-service');

runMain(logger, async () => {
  const config = loadConfig(RecipientServiceConfig);
  logger.level = config.LOG_LEVEL;
  return bootstrapService({
    name: 'recipient-service',
    module: RecipientServiceModule.register(config, logger),
    logger,
    port: config.PORT,
    host: config.HOST,
    consume: true,
  });
});
