import { loadConfig } from '@omni/config';
import { createLogger } from '@omni/observability';
import { bootstrapService, runMain } from '@omni/runtime';
import { ProfileServiceConfig } from './config';
import { ProfileServiceModule } from './profile-service.module';

const logger = createLogger('profile-service');

runMain(logger, async () => {
  const config = loadConfig(ProfileServiceConfig);
  logger.level = config.LOG_LEVEL;
  return bootstrapService({
    name: 'profile-service',
    module: ProfileServiceModule.register(config, logger),
    logger,
    port: config.PORT,
    host: config.HOST,
    consume: true,
  });
});
