import { DynamicModule, Module } from '@nestjs/common';
import { Topics } from '@omni/contracts';
import { kafkaBrokers } from '@omni/config';
import { MESSAGE_HANDLERS, MessagingModule, messageConsumerProvider } from '@omni/messaging';
import { Logger, ObservabilityModule } from '@omni/observability';
import { DatabaseModule } from '@omni/persistence';
import { PROJECTION_SCHEMA, ProjectionServiceConfig } from './config';
import { PROJECTION_MIGRATIONS } from './migrations';
import { CommandAcceptedHandler, CommandOutcomeRecorder, CommandRejectedHandler } from './outcomes/command-outcome.recorder';
import { UserRegisteredProjector } from './projectors/user/user-registered.projector';
import { UserRenamedProjector } from './projectors/user/user-renamed.projector';
import { ProjectionStore } from './read-model/projection-store';

export const PROJECTION_CONSUMER_GROUP = 'projection-service';

/** Folds every event topic and the command outcomes into the read model. */
@Module({})
export class ProjectionServiceModule {
  static register(config: ProjectionServiceConfig, logger: Logger): DynamicModule {
    return {
      module: ProjectionServiceModule,
      imports: [
        ObservabilityModule.forRoot(logger),
        DatabaseModule.register({
          url: config.DATABASE_URL,
          schema: PROJECTION_SCHEMA,
          applicationName: 'projection-service',
          migrations: PROJECTION_MIGRATIONS,
          poolSize: config.DATABASE_POOL_SIZE,
        }),
        MessagingModule.register({
          kafka: { brokers: kafkaBrokers(config), clientId: 'projection-service', topicPrefix: config.KAFKA_TOPIC_PREFIX },
        }),
      ],
      providers: [
        messageConsumerProvider({
          groupId: PROJECTION_CONSUMER_GROUP,
          topics: [Topics.profileEvents, Topics.commandOutcomes],
          partitionsConsumedConcurrently: config.PROJECTION_CONCURRENCY,
        }),
        ProjectionStore,
        CommandOutcomeRecorder,
        CommandAcceptedHandler,
        CommandRejectedHandler,
        UserRegisteredProjector,
        UserRenamedProjector,
        {
          provide: MESSAGE_HANDLERS,
          useFactory: (...handlers: unknown[]) => handlers,
          inject: [CommandAcceptedHandler, CommandRejectedHandler, UserRegisteredProjector, UserRenamedProjector],
        },
      ],
    };
  }
}
