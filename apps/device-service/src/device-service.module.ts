import { DynamicModule, Module } from '@nestjs/common';
import {
  ApplicationSettingsStore,
  applicationSettingsProviders,
  settingsGate,
} from '@omni/app-settings';
import { ERASE_DEVICE_USER, Topics } from '@omni/contracts';
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
import { DEVICE_SCHEMA, DeviceServiceConfig } from './config';
import { RegisterDeviceHandler } from './handlers/register-device.handler';
import { UpdateDeviceHandler } from './handlers/update-device.handler';
import { DeactivateDeviceHandler } from './handlers/deactivate-device.handler';
import { AssignDeviceUserHandler } from './handlers/assign-device-user.handler';
import { RemoveDeviceUserHandler } from './handlers/remove-device-user.handler';
import { AddDeviceTagsHandler } from './handlers/add-device-tags.handler';
import { RemoveDeviceTagsHandler } from './handlers/remove-device-tags.handler';
import { ClearDeviceTagsHandler } from './handlers/clear-device-tags.handler';
import { OverrideDeviceUserDataHandler } from './handlers/override-device-user-data.handler';
import { EraseDeviceUserHandler } from './handlers/erase-device-user.handler';
import { DEVICE_MIGRATIONS } from './migrations';
import { DeviceEntity } from './persistence/device.entity';
import { DevicesRepository } from './persistence/devices.repository';
import { DEVICE_AGGREGATE } from './use-cases/device-decisions';
import { RegisterDeviceUseCase } from './use-cases/register-device/register-device.use-case';
import { UpdateDeviceUseCase } from './use-cases/update-device/update-device.use-case';
import { DeactivateDeviceUseCase } from './use-cases/deactivate-device/deactivate-device.use-case';
import { AssignDeviceUserUseCase } from './use-cases/assign-device-user/assign-device-user.use-case';
import { RemoveDeviceUserUseCase } from './use-cases/remove-device-user/remove-device-user.use-case';
import { AddDeviceTagsUseCase } from './use-cases/add-device-tags/add-device-tags.use-case';
import { RemoveDeviceTagsUseCase } from './use-cases/remove-device-tags/remove-device-tags.use-case';
import { ClearDeviceTagsUseCase } from './use-cases/clear-device-tags/clear-device-tags.use-case';
import { OverrideDeviceUserDataUseCase } from './use-cases/override-device-user-data/override-device-user-data.use-case';
import { EraseDeviceUserUseCase } from './use-cases/erase-device-user/erase-device-user.use-case';

export const DEVICE_CONSUMER_GROUP = 'device-service';

/** One handler per device command, listed explicitly. */
const COMMAND_HANDLERS = [
  RegisterDeviceHandler,
  UpdateDeviceHandler,
  DeactivateDeviceHandler,
  AssignDeviceUserHandler,
  RemoveDeviceUserHandler,
  AddDeviceTagsHandler,
  RemoveDeviceTagsHandler,
  ClearDeviceTagsHandler,
  OverrideDeviceUserDataHandler,
  EraseDeviceUserHandler,
];

/** Push devices: consumes device.commands and application.events, emits device.events and command outcomes. */
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
          entities: [DeviceEntity],
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
        {
          provide: CommandProcessor,
          useFactory: (tx: TransactionRunner, inbox: Inbox, outbox: Outbox, relay: OutboxRelay, settings: ApplicationSettingsStore) =>
            new CommandProcessor(tx, inbox, outbox, relay, Topics.deviceEvents, settingsGate(settings)),
          inject: [TransactionRunner, Inbox, Outbox, OutboxRelay, ApplicationSettingsStore],
        },
        ...applicationSettingsProviders('device-service'),
        DevicesRepository,
        { provide: SubjectKeys, useValue: new SubjectKeys() },
        {
          provide: UNIT_PRELOAD,
          useFactory: (devices: DevicesRepository, keys: SubjectKeys): UnitPreload =>
            commandUnitPreload({
              keys,
              // An erasure names a user, not a device.
              isCommand: (type) => type.startsWith('device.') && type !== ERASE_DEVICE_USER,
              load: async (em, commands) => {
                const loaded = await devices.preload(em, commands.map(({ application, aggregateId }) => ({ application, deviceId: aggregateId })));
                return loaded.flatMap(({ application, userId }) => (userId ? [{ application, userId }] : []));
              },
              // Locked in one order and counted for the limit of devices per user.
              users: (em, users) => devices.preloadUsers(em, users),
            }),
          inject: [DevicesRepository, SubjectKeys],
        },
        RegisterDeviceUseCase,
        UpdateDeviceUseCase,
        DeactivateDeviceUseCase,
        AssignDeviceUserUseCase,
        RemoveDeviceUserUseCase,
        AddDeviceTagsUseCase,
        RemoveDeviceTagsUseCase,
        ClearDeviceTagsUseCase,
        OverrideDeviceUserDataUseCase,
        EraseDeviceUserUseCase,
        ...COMMAND_HANDLERS,
        {
          provide: MESSAGE_HANDLERS,
          useFactory: (...handlers: unknown[]) => handlers,
          inject: [...COMMAND_HANDLERS],
        },
        {
          provide: UNDECODABLE_HOOK,
          useFactory: (processor: CommandProcessor): UndecodableHook => (error, context) =>
            processor.rejectUndecodable(context.consumer, error, DEVICE_AGGREGATE),
          inject: [CommandProcessor],
        },
      ],
    };
  }
}
