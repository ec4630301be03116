import { DynamicModule, Module } from '@nestjs/common';
import { APPLICATION_SETTINGS_HANDLERS, APPLICATION_SETTINGS_PROVIDERS } from '@omni/app-settings';
import { Topics } from '@omni/contracts';
import { kafkaBrokers } from '@omni/config';
import { MESSAGE_HANDLERS, MessagingModule, messageConsumerProvider } from '@omni/messaging';
import { Logger, ObservabilityModule } from '@omni/observability';
import { DatabaseModule } from '@omni/persistence';
import { RECIPIENT_SCHEMA, RecipientServiceConfig } from './config';
import { RECIPIENT_MIGRATIONS } from './migrations';

export const RECIPIENT_CONSUMER_GROUP = 'recipient-service';

/**
 * Consumes recipient.commands (no command handlers yet: a command sent to it is dead-lettered with
 * reason "no-handler", never silently dropped) and application.events (its copy of the settings).
 */
@Module({})
export class RecipientServiceModule {
  static register(config: RecipientServiceConfig, logger: Logger): DynamicModule {
    return {
      module: RecipientServiceModule,
      imports: [
        ObservabilityModule.forRoot(logger),
        DatabaseModule.register({
          url: config.DATABASE_URL,
          schema: RECIPIENT_SCHEMA,
          applicationName: 'recipient-service',
          migrations: RECIPIENT_MIGRATIONS,
          poolSize: config.DATABASE_POOL_SIZE,
        }),
        MessagingModule.register({
          kafka: { brokers: kafkaBrokers(config), clientId: 'recipient-service', topicPrefix: config.KAFKA_TOPIC_PREFIX },
          schema: RECIPIENT_SCHEMA,
        }),
      ],
      providers: [
        messageConsumerProvider({ groupId: RECIPIENT_CONSUMER_GROUP, topics: [Topics.recipientCommands, Topics.applicationEvents] }),
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
