import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { kafkaBrokers } from '@omni/config';
import { MessagingModule } from '@omni/messaging';
import { Logger, ObservabilityModule } from '@omni/observability';
import { DatabaseModule } from '@omni/persistence';
import { ReadModelModule } from '@omni/read-model';
import { AdminApplicationsController } from './applications/admin-applications.controller';
import { ApplicationSettingsController } from './applications/application-settings.controller';
import { ApplicationsStore, SECRET_HASHER } from './applications/applications.store';
import { ApplicationCache } from './auth/application-cache';
import { RATE_LIMITER, RateLimiter } from './auth/rate-limiter';
import { ADMIN_SECRET, AuthGuard } from './auth/auth.guard';
import { SecretHasher } from './auth/credentials';
import { COMMAND_TIMEOUT_MS, CommandBus } from './commands/command-bus';
import { CommandRecords } from './commands/command-records';
import { CommandController } from './commands/command.controller';
import { OutcomeWaiter } from './commands/outcome-waiter';
import { DATABASE_URL, PgListener } from './database/pg-listener';
import { DeviceCommands } from './devices/device-commands';
import { DeviceManagementController } from './devices/device-management.controller';
import { DevicesController } from './devices/devices.controller';
import { GATEWAY_SCHEMA, GatewayConfig } from './config';
import { ErrorFilter } from './errors/error.filter';
import { GATEWAY_MIGRATIONS } from './migrations';
import { EmailController } from './recipients/email.controller';
import { RECIPIENT_COMMAND_PROVIDERS } from './recipients/recipient-commands';
import { SmsController } from './recipients/sms.controller';
import { UserErasure } from './users/user-erasure';
import { UsersController } from './users/users.controller';

/** Every controller of the API (the isolation and credential tests walk this list). */
export const GATEWAY_CONTROLLERS = [AdminApplicationsController, ApplicationSettingsController, UsersController, CommandController, DevicesController, DeviceManagementController, EmailController, SmsController];

/** The HTTP API: authenticates, validates, sends commands, answers reads from the read model. */
@Module({})
export class GatewayModule {
  static register(config: GatewayConfig, logger: Logger): DynamicModule {
    return {
      module: GatewayModule,
      imports: [
        ObservabilityModule.forRoot(logger),
        DatabaseModule.register({
          url: config.DATABASE_URL,
          schema: GATEWAY_SCHEMA,
          applicationName: 'gateway',
          migrations: GATEWAY_MIGRATIONS,
          poolSize: config.DATABASE_POOL_SIZE,
        }),
        MessagingModule.register({
          kafka: { brokers: kafkaBrokers(config), clientId: 'gateway', topicPrefix: config.KAFKA_TOPIC_PREFIX },
          schema: GATEWAY_SCHEMA,
        }),
        ReadModelModule,
      ],
      controllers: GATEWAY_CONTROLLERS,
      providers: [
        { provide: SECRET_HASHER, useValue: new SecretHasher(config.SECRET_HASH_KEY) },
        { provide: ADMIN_SECRET, useValue: config.ADMIN_SECRET },
        { provide: COMMAND_TIMEOUT_MS, useValue: config.COMMAND_TIMEOUT_MS },
        { provide: RATE_LIMITER, useValue: new RateLimiter(config.RATE_LIMIT_PER_SECOND, config.RATE_LIMIT_BURST) },
        { provide: DATABASE_URL, useValue: config.DATABASE_URL },
        PgListener,
        ApplicationsStore,
        ApplicationCache,
        OutcomeWaiter,
        CommandBus,
        CommandRecords,
        DeviceCommands,
        ...RECIPIENT_COMMAND_PROVIDERS,
        UserErasure,
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_FILTER, useClass: ErrorFilter },
      ],
    };
  }
}
