import { DEFAULT_DATABASE_URL, DEFAULT_KAFKA_BROKERS } from '../../libs/config/src';
import { createKafka, ensureTopics } from '../../libs/messaging/src';
import { createLogger } from '../../libs/observability/src';
import { createServiceDataSource, ensureDatabase, migrateServiceSchema, redactUrl } from '../../libs/persistence/src';
import { APPS } from './services';

/** Create the database if needed and apply every app's pending migrations (each in its own schema). */
export async function migrateAll(databaseUrl: string = process.env.DATABASE_URL || DEFAULT_DATABASE_URL): Promise<string[]> {
  await ensureDatabase(databaseUrl);
  const applied: string[] = [];
  for (const app of APPS) {
    const dataSource = createServiceDataSource({
      url: databaseUrl,
      schema: app.schema,
      applicationName: `${app.name}-migrate`,
      migrations: app.migrations,
      poolSize: 1,
    });
    applied.push(...(await migrateServiceSchema(dataSource, app.schema)).map((name) => `${app.schema}: ${name}`));
  }
  return applied;
}

/** Create every contract topic (and dead-letter topic) that does not exist yet. */
export async function createTopics(
  options: { brokers?: string; prefix?: string; partitions?: number } = {},
): Promise<string[]> {
  const brokers = (options.brokers ?? (process.env.KAFKA_BROKERS || DEFAULT_KAFKA_BROKERS)).split(',');
  const settings = { brokers, clientId: 'setup', topicPrefix: options.prefix ?? process.env.KAFKA_TOPIC_PREFIX ?? '' };
  const kafka = createKafka(settings, createLogger('setup', 'warn'));
  return ensureTopics(kafka, settings, {
    partitions: options.partitions ?? Number(process.env.KAFKA_PARTITIONS || 3),
    replicationFactor: Number(process.env.KAFKA_REPLICATION_FACTOR || 1),
  });
}

export { redactUrl };
