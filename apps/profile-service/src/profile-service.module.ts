import { DynamicModule, Module } from '@nestjs/common';
import {
  ApplicationSettingsStore,
  applicationSettingsProviders,
  settingsGate,
} from '@omni/app-settings';
import { Topics } from '@omni/contracts';
import { kafkaBrokers } from '@omni/config';
import {
  CommandProcessor,
  Inbox,
  MESSAGE_HANDLERS,
  messageConsumerProvider,
  MessagingModule,
  Outbox,
  OutboxRelay,
  UNDECODABLE_HOOK,
  UNIT_PRELOAD,
  UndecodableHook,
  UnitPreload,
  commandUnitPreload,
} from '@omni/messaging';
import { Logger, ObservabilityModule } from '@omni/observability';
import { DatabaseModule, TransactionRunner } from '@omni/persistence';
import { PROFILE_SCHEMA, ProfileServiceConfig } from './config';
import { DeactivateUserHandler } from './handlers/deactivate-user.handler';
import { EraseUserHandler } from './handlers/erase-user.handler';
import { DeactivateUserUseCase } from './use-cases/deactivate-user/deactivate-user.use-case';
import { EraseUserUseCase } from './use-cases/erase-user/erase-user.use-case';
import { SubjectKeys } from '@omni/personal-data';
import { OverrideUserDataHandler } from './handlers/override-user-data.handler';
import { UpdateUserHandler } from './handlers/update-user.handler';
import { PROFILE_MIGRATIONS } from './migrations';
import { UserEntity } from './persistence/user.entity';
import { UsersRepository } from './persistence/users.repository';
import { OverrideUserDataUseCase } from './use-cases/override-user-data/override-user-data.use-case';
import { UpdateUserUseCase } from './use-cases/update-user/update-user.use-case';

export const PROFILE_CONSUMER_GROUP = 'profile-service';

/** Users and their data: consumes profile.commands, emits profile.events and command outcomes. */
@Module({})
export class ProfileServiceModule {
  static register(config: ProfileServiceConfig, logger: Logger): DynamicModule {
    return {
      module: ProfileServiceModule,
      imports: [
        ObservabilityModule.forRoot(logger),
        DatabaseModule.register({
          url: config.DATABASE_URL,
          schema: PROFILE_SCHEMA,
          applicationName: 'profile-service',
          entities: [UserEntity],
          migrations: PROFILE_MIGRATIONS,
          poolSize: config.DATABASE_POOL_SIZE,
        }),
        MessagingModule.register({
          kafka: { brokers: kafkaBrokers(config), clientId: 'profile-service', topicPrefix: config.KAFKA_TOPIC_PREFIX },
          schema: PROFILE_SCHEMA,
        }),
      ],
      providers: [
        messageConsumerProvider({ groupId: PROFILE_CONSUMER_GROUP, topics: [Topics.profileCommands] }),
        {
          provide: CommandProcessor,
          useFactory: (tx: TransactionRunner, inbox: Inbox, outbox: Outbox, relay: OutboxRelay, settings: ApplicationSettingsStore) =>
            new CommandProcessor(tx, inbox, outbox, relay, Topics.profileEvents, settingsGate(settings)),
          inject: [TransactionRunner, Inbox, Outbox, OutboxRelay, ApplicationSettingsStore],
        },
        ...applicationSettingsProviders('profile-service'),
        UsersRepository,
        UpdateUserUseCase,
        UpdateUserHandler,
        OverrideUserDataUseCase,
        OverrideUserDataHandler,
        DeactivateUserUseCase,
        DeactivateUserHandler,
        { provide: SubjectKeys, useValue: new SubjectKeys() },
        {
          provide: UNIT_PRELOAD,
          useFactory: (users: UsersRepository, keys: SubjectKeys): UnitPreload =>
            commandUnitPreload({
              keys,
              // A user command's aggregate is its user: the users and their keys.
              isCommand: (type) => type.startsWith('user.'),
              load: async (em, commands) => {
                const named = commands.map(({ application, aggregateId }) => ({ application, userId: aggregateId }));
                await users.preload(em, named);
                return named;
              },
            }),
          inject: [UsersRepository, SubjectKeys],
        },
        EraseUserUseCase,
        EraseUserHandler,
        {
          provide: MESSAGE_HANDLERS,
          useFactory: (...handlers: unknown[]) => handlers,
          inject: [UpdateUserHandler, OverrideUserDataHandler, DeactivateUserHandler, EraseUserHandler],
        },
        {
          provide: UNDECODABLE_HOOK,
          useFactory: (processor: CommandProcessor): UndecodableHook => (error, context) =>
            processor.rejectUndecodable(context.consumer, error, 'user'),
          inject: [CommandProcessor],
        },
      ],
    };
  }
}
