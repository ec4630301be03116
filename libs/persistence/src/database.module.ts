import { DynamicModule, Global, Inject, Module, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { HealthRegistry } from '@omni/observability';
import { DataSource } from 'typeorm';
import { ServiceDataSourceOptions, createServiceDataSource } from './data-source';
import { TransactionRunner } from './transaction';

export const SERVICE_SCHEMA = Symbol('SERVICE_SCHEMA');

class DatabaseLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(HealthRegistry) private readonly health: HealthRegistry,
  ) {}

  onModuleInit(): void {
    this.health.register('database', async () => {
      await this.dataSource.query('SELECT 1');
    });
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}

/** The service's TypeORM data source (its own schema), a transaction runner, and closing on shutdown. */
@Global()
@Module({})
export class DatabaseModule {
  static register(options: ServiceDataSourceOptions): DynamicModule {
    return {
      module: DatabaseModule,
      providers: [
        { provide: SERVICE_SCHEMA, useValue: options.schema },
        {
          provide: DataSource,
          useFactory: async () => createServiceDataSource(options).initialize(),
        },
        { provide: TransactionRunner, useFactory: (ds: DataSource) => new TransactionRunner(ds), inject: [DataSource] },
        DatabaseLifecycle,
      ],
      exports: [DataSource, TransactionRunner, SERVICE_SCHEMA],
    };
  }
}
