import { loadConfig } from '@omni/config';
import { createLogger } from '@omni/observability';
import { bootstrapService, runMain } from '@omni/runtime';
import { DeviceServiceConfig } from './config';
import { DeviceServiceModule } from './device-service.module';

const logger = createLogger('device-service');

runMain(logger, async () => {
  const config = loadConfig(DeviceServiceConfig);
  logger.level = config.LOG_LEVEL;
  return bootstrapService({
    name: 'device-service',
    module: DeviceServiceModule.register(config, logger),
    logger,
    port: config.PORT,
    host: config.HOST,
    consume: true,
  });
});
