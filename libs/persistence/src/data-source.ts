import { DataSource, EntitySchema, MixedList } from 'typeorm';

export interface ServiceDataSourceOptions {
  url: string;
  /** The PostgreSQL schema the service owns. Nothing else writes to it. */
  schema: string;
  /** Shown in pg_stat_activity. */
  applicationName: string;
  entities?: MixedList<Function | string | EntitySchema>;
  migrations?: MixedList<Function | string>;
  poolSize?: number;
}

/**
 * A TypeORM data source for one service: its own schema, its own migrations table,
 * never `synchronize`.
 */
export function createServiceDataSource(options: ServiceDataSourceOptions): DataSource {
  return new DataSource({
    type: 'postgres',
    url: options.url,
    schema: options.schema,
    applicationName: options.applicationName,
    entities: options.entities ?? [],
    migrations: options.migrations ?? [],
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    migrationsRun: false,
    // TypeORM's own query logging prints parameters (personal data): errors are logged by the apps.
    logging: false,
    extra: {
      max: options.poolSize ?? 10,
      connectionTimeoutMillis: 10_000,
      // A statement that hangs (lock wait, lost server) fails instead of stalling a partition.
      statement_timeout: 30_000,
      idle_in_transaction_session_timeout: 60_000,
      // Every transaction is READ COMMITTED (TransactionRunner relies on it) whatever the server's
      // default: set once per connection, not by a statement of its own in every transaction.
      options: '-c default_transaction_isolation=read\\ committed',
    },
  });
}

/** Create the service's schema if needed, then apply its pending migrations. Returns their names. */
export async function migrateServiceSchema(dataSource: DataSource, schema: string): Promise<string[]> {
  const initialisedHere = !dataSource.isInitialized;
  if (initialisedHere) await dataSource.initialize();
  try {
    await dataSource.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(schema)}`);
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((migration) => migration.name);
  } finally {
    if (initialisedHere) await dataSource.destroy();
  }
}

/** Quote a PostgreSQL identifier (schema, database). Identifiers cannot be bound as parameters. */
export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
