import { DynamicModule, Module } from '@nestjs/common';
import { APPLICATION_SETTINGS_HANDLERS, APPLICATION_SETTINGS_PROVIDERS } from '@omni/app-settings';
import { Topics } from '@omni/contracts';
import { kafkaBrokers } from '@omni/config';
import { MESSAGE_HANDLERS, MessagingModule, messageConsumerProvider } from '@omni/messaging';
import { Logger, ObservabilityModule } from '@omni/observability';
import { DatabaseModule } from '@omni/persistence';
import { DEVICE_SCHEMA, DeviceServiceConfig } from './config';
import { DEVICE_MIGRATIONS } from './migrations';

export const DEVICE_CONSUMER_GROUP = 'device-service';

/**
 * Consumes device.commands (no command handlers yet: a command sent to it is dead-lettered with
 * reason "no-handler", never silently dropped) and application.events (its copy of the settings).
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
        messageConsumerProvider({ groupId: DEVICE_CONSUMER_GROUP, topics: [Topics.deviceCommands, Topics.applicationEvents] }),
        ...APPLICATION_SETTINGS_PROVIDERS,
        {
          provide: MESSAGE_HANDLERS,
          useFactory: (...handlers: unknown[]) => handlers,
          inject: [...APPLICATION_SETTINGS_HANDLERS],
        },
      ],
    };
  }
}
