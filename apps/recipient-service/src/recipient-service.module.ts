import { DynamicModule, Module } from '@nestjs/common';
import {
  ApplicationSettingsStore,
  applicationSettingsProviders,
  settingsGate,
} from '@omni/app-settings';
import { ERASE_RECIPIENT_USER, Topics } from '@omni/contracts';
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
import { SubjectKeys } from '@omni/personal-data';
import { Logger, ObservabilityModule } from '@omni/observability';
import { DatabaseModule, TransactionRunner } from '@omni/persistence';
import { RECIPIENT_SCHEMA, RecipientServiceConfig } from './config';
import { RegisterRecipientHandler } from './handlers/register-recipient.handler';
import { UpdateRecipientHandler } from './handlers/update-recipient.handler';
import { DeactivateRecipientHandler } from './handlers/deactivate-recipient.handler';
import { AddRecipientTagsHandler } from './handlers/add-recipient-tags.handler';
import { RemoveRecipientTagsHandler } from './handlers/remove-recipient-tags.handler';
import { ClearRecipientTagsHandler } from './handlers/clear-recipient-tags.handler';
import { ConfirmRecipientHandler } from './handlers/confirm-recipient.handler';
import { EraseRecipientUserHandler } from './handlers/erase-recipient-user.handler';
import { RECIPIENT_MIGRATIONS } from './migrations';
import { RecipientEntity } from './persistence/recipient.entity';
import { RecipientsRepository } from './persistence/recipients.repository';
import { RECIPIENT_AGGREGATE } from './use-cases/recipient-decisions';
import { RegisterRecipientUseCase } from './use-cases/register-recipient/register-recipient.use-case';
import { UpdateRecipientUseCase } from './use-cases/update-recipient/update-recipient.use-case';
import { DeactivateRecipientUseCase } from './use-cases/deactivate-recipient/deactivate-recipient.use-case';
import { AddRecipientTagsUseCase } from './use-cases/add-recipient-tags/add-recipient-tags.use-case';
import { RemoveRecipientTagsUseCase } from './use-cases/remove-recipient-tags/remove-recipient-tags.use-case';
import { ClearRecipientTagsUseCase } from './use-cases/clear-recipient-tags/clear-recipient-tags.use-case';
import { ConfirmRecipientUseCase } from './use-cases/confirm-recipient/confirm-recipient.use-case';
import { EraseRecipientUserUseCase } from './use-cases/erase-recipient-user/erase-recipient-user.use-case';
import { Clock, VerificationTokens } from './verification/verification-tokens';

export const RECIPIENT_CONSUMER_GROUP = 'recipient-service';

/** One handler per recipient command, listed explicitly. */
const COMMAND_HANDLERS = [
  RegisterRecipientHandler,
  UpdateRecipientHandler,
  DeactivateRecipientHandler,
  AddRecipientTagsHandler,
  RemoveRecipientTagsHandler,
  ClearRecipientTagsHandler,
  ConfirmRecipientHandler,
  EraseRecipientUserHandler,
];

/**
 * Email contacts and SMS numbers: consumes recipient.commands and application.events (its copy of
 * the settings), emits recipient.events and command outcomes. Addresses are personal data: logs
 * name recipients by id only.
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
          entities: [RecipientEntity],
          migrations: RECIPIENT_MIGRATIONS,
          poolSize: config.DATABASE_POOL_SIZE,
        }),
        MessagingModule.register({
          kafka: { brokers: kafkaBrokers(config), clientId: 'recipient-service', topicPrefix: config.KAFKA_TOPIC_PREFIX },
          schema: RECIPIENT_SCHEMA,
        }),
      ],
      providers: [
        messageConsumerProvider({ groupId: RECIPIENT_CONSUMER_GROUP, topics: [Topics.recipientCommands] }),
        {
          provide: CommandProcessor,
          useFactory: (tx: TransactionRunner, inbox: Inbox, outbox: Outbox, relay: OutboxRelay, settings: ApplicationSettingsStore) =>
            new CommandProcessor(tx, inbox, outbox, relay, Topics.recipientEvents, settingsGate(settings)),
          inject: [TransactionRunner, Inbox, Outbox, OutboxRelay, ApplicationSettingsStore],
        },
        ...applicationSettingsProviders('recipient-service'),
        RecipientsRepository,
        { provide: SubjectKeys, useValue: new SubjectKeys() },
        {
          provide: UNIT_PRELOAD,
          useFactory: (recipients: RecipientsRepository, keys: SubjectKeys): UnitPreload =>
            commandUnitPreload({
              keys,
              // An erasure names a user, not a contact.
              isCommand: (type) => type.startsWith('recipient.') && type !== ERASE_RECIPIENT_USER,
              load: async (em, commands) => {
                const loaded = await recipients.preload(em, commands.map(({ application, aggregateId }) => ({ application, recipientId: aggregateId })));
                return loaded.flatMap(({ application, userId }) => (userId ? [{ application, userId }] : []));
              },
              // Locked in one order and counted for the limit of contacts per user.
              users: (em, users) => recipients.preloadUsers(em, users),
            }),
          inject: [RecipientsRepository, SubjectKeys],
        },
        { provide: Clock, useValue: new Clock() },
        {
          provide: VerificationTokens,
          useFactory: (clock: Clock) => new VerificationTokens(config.RECIPIENT_VERIFICATION_TTL_MINUTES, clock),
          inject: [Clock],
        },
        RegisterRecipientUseCase,
        UpdateRecipientUseCase,
        DeactivateRecipientUseCase,
        AddRecipientTagsUseCase,
        RemoveRecipientTagsUseCase,
        ClearRecipientTagsUseCase,
        ConfirmRecipientUseCase,
        EraseRecipientUserUseCase,
        ...COMMAND_HANDLERS,
        {
          provide: MESSAGE_HANDLERS,
          useFactory: (...handlers: unknown[]) => handlers,
          inject: [...COMMAND_HANDLERS],
        },
        {
          provide: UNDECODABLE_HOOK,
          useFactory: (processor: CommandProcessor): UndecodableHook => (error, context) =>
            processor.rejectUndecodable(context.consumer, error, RECIPIENT_AGGREGATE),
          inject: [CommandProcessor],
        },
      ],
    };
  }
}
