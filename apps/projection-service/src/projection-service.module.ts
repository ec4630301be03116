import { DynamicModule, Module } from '@nestjs/common';
import { Topics } from '@omni/contracts';
import { kafkaBrokers } from '@omni/config';
import { MESSAGE_HANDLERS, MessagingModule, messageConsumerProvider } from '@omni/messaging';
import { Logger, ObservabilityModule } from '@omni/observability';
import { DatabaseModule } from '@omni/persistence';
import { PROJECTION_SCHEMA, ProjectionServiceConfig } from './config';
import { PROJECTION_MIGRATIONS } from './migrations';
import { CommandAcceptedHandler, CommandOutcomeRecorder, CommandRejectedHandler } from './outcomes/command-outcome.recorder';
import { DeviceDeactivatedProjector } from './projectors/device/device-deactivated.projector';
import { DeviceRegisteredProjector } from './projectors/device/device-registered.projector';
import { DeviceReplacedProjector } from './projectors/device/device-replaced.projector';
import { DeviceTagsChangedProjector } from './projectors/device/device-tags-changed.projector';
import { DeviceUpdatedProjector } from './projectors/device/device-updated.projector';
import { DeviceUserAssignedProjector } from './projectors/device/device-user-assigned.projector';
import { DeviceUserDataChangedProjector } from './projectors/device/device-user-data-changed.projector';
import { DeviceUserRemovedProjector } from './projectors/device/device-user-removed.projector';
import { Projection } from './projectors/projection';
import { UserDataChangedProjector } from './projectors/user/user-data-changed.projector';
import { UserRegisteredProjector } from './projectors/user/user-registered.projector';
import { UserRenamedProjector } from './projectors/user/user-renamed.projector';
import { RecipientRegisteredProjector } from './projectors/recipient/recipient-registered.projector';
import { RecipientUpdatedProjector } from './projectors/recipient/recipient-updated.projector';
import { RecipientDeactivatedProjector } from './projectors/recipient/recipient-deactivated.projector';
import { RecipientUserAssignedProjector } from './projectors/recipient/recipient-user-assigned.projector';
import { RecipientUserRemovedProjector } from './projectors/recipient/recipient-user-removed.projector';
import { RecipientTagsChangedProjector } from './projectors/recipient/recipient-tags-changed.projector';
import { RecipientUserDataChangedProjector } from './projectors/recipient/recipient-user-data-changed.projector';
import { RecipientVerificationRequestedProjector } from './projectors/recipient/recipient-verification-requested.projector';
import { RecipientVerifiedProjector } from './projectors/recipient/recipient-verified.projector';
import { ProjectionStore } from './read-model/projection-store';

export const PROJECTION_CONSUMER_GROUP = 'projection-service';

/** One projector per event type it folds. */
const PROJECTORS = [
  UserRegisteredProjector,
  UserRenamedProjector,
  UserDataChangedProjector,
  DeviceRegisteredProjector,
  DeviceUpdatedProjector,
  DeviceDeactivatedProjector,
  DeviceUserAssignedProjector,
  DeviceUserRemovedProjector,
  DeviceTagsChangedProjector,
  DeviceUserDataChangedProjector,
  DeviceReplacedProjector,
  RecipientRegisteredProjector,
  RecipientUpdatedProjector,
  RecipientDeactivatedProjector,
  RecipientUserAssignedProjector,
  RecipientUserRemovedProjector,
  RecipientTagsChangedProjector,
  RecipientUserDataChangedProjector,
  RecipientVerificationRequestedProjector,
  RecipientVerifiedProjector,
];

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
          topics: [Topics.profileEvents, Topics.deviceEvents, Topics.recipientEvents, Topics.commandOutcomes],
          partitionsConsumedConcurrently: config.PROJECTION_CONCURRENCY,
        }),
        ProjectionStore,
        CommandOutcomeRecorder,
        CommandAcceptedHandler,
        CommandRejectedHandler,
        Projection,
        ...PROJECTORS,
        {
          provide: MESSAGE_HANDLERS,
          useFactory: (...handlers: unknown[]) => handlers,
          inject: [CommandAcceptedHandler, CommandRejectedHandler, ...PROJECTORS],
        },
      ],
    };
  }
}
