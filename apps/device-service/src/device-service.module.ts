import { DynamicModule, Module } from '@nestjs/common';
import { Topics } from '@omni/contracts';
import { kafkaBrokers } from '@omni/config';
import { MESSAGE_HANDLERS, MessagingModule, messageConsumerProvider } from '@omni/messaging';
import { Logger, ObservabilityModule } from '@omni/observability';
import { DatabaseModule } from '@omni/persistence';
import { DEVICE_SCHEMA, DeviceServiceConfig } from './config';
import { DEVICE_MIGRATIONS } from './migrations';

export const DEVICE_CONSUMER_GROUP = 'device-service';

/**
 * Consumes device.commands. It has no command handlers yet: a command sent to it is
 * dead-lettered with reason "no-handler" (never silently dropped).
 */
@Module({})
export class DeviceServiceModule {
  static register(config: DeviceServiceConfig, logger: Logger): DynamicModule {
    return {
      module: DeviceServiceModule,
      imports: [
        ObservabilityModule.forRoot(logger),
        DatabaseModule.register({
          url: config.DATABASE_URL,
          schema: DEVICE_SCHEMA,
          applicationName: 'device-service',
          migrations: DEVICE_MIGRATIONS,
          poolSize: config.DATABASE_POOL_SIZE,
        }),
        MessagingModule.register({
          kafka: { brokers: kafkaBrokers(config), clientId: 'device-service', topicPrefix: config.KAFKA_TOPIC_PREFIX },
          schema: DEVICE_SCHEMA,
        }),
      ],
      providers: [
        messageConsumerProvider({ groupId: DEVICE_CONSUMER_GROUP, topics: [Topics.deviceCommands] }),
        { provide: MESSAGE_HANDLERS, useValue: [] },
      ],
    };
  }
}
