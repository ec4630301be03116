import { randomBytes } from 'node:crypto';
import { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AnyEvent } from '@omni/contracts';
import { loadConfig } from '@omni/config';
import { MessagePublisher, createKafka, qualify, recordFor } from '@omni/messaging';
import { Logger } from '@omni/observability';
import { bootstrapService } from '@omni/runtime';
import { TestKafka, waitFor } from '@omni/testing';
import { ProjectionServiceConfig } from '../src/config';
import { ProjectionServiceModule } from '../src/projection-service.module';
import { topicOf } from './event-stream';

export async function startProjection(databaseUrl: string, kafka: TestKafka, logger: Logger): Promise<INestApplication> {
  const config = loadConfig(ProjectionServiceConfig, {
    DATABASE_URL: databaseUrl,
    KAFKA_BROKERS: kafka.brokers.join(','),
    KAFKA_TOPIC_PREFIX: kafka.prefix,
    PORT: '0',
  });
  return bootstrapService({ name: 'projection-service', module: ProjectionServiceModule.register(config, logger), logger, port: 0, host: '127.0.0.1', consume: true });
}

/** Publish events on their topics, in the given order (each aggregate's own order is kept per partition). */
export async function publishEvents(kafka: TestKafka, logger: Logger, events: AnyEvent[]): Promise<void> {
  const settings = kafka.settings('test-events');
  const publisher = new MessagePublisher(createKafka(settings, logger), settings);
  await publisher.connect();
  try {
    for (let i = 0; i < events.length; i += 200) {
      await publisher.publish(events.slice(i, i + 200).map((event) => recordFor(topicOf(event), event)));
    }
  } finally {
    await publisher.disconnect();
  }
}

/** Wait until the read model has applied the last version of every aggregate of `events`. */
export async function waitForFold(db: DataSource, events: AnyEvent[], schema = 'projection', timeoutMs = 60_000): Promise<void> {
  const last = new Map<string, number>();
  for (const event of events) last.set(`${event.application}|${event.type.split('.')[0]}|${event.aggregateId}`, event.aggregateVersion ?? 0);
  await waitFor(
    async () => {
      const rows: { k: string; version: number }[] = await db.query(
        `SELECT application || '|' || entity_type || '|' || entity_id AS k, version FROM "${schema}".entity_versions`,
      );
      const applied = new Map(rows.map((row) => [row.k, row.version]));
      return [...last].every(([key, version]) => (applied.get(key) ?? 0) >= version);
    },
    { timeoutMs, intervalMs: 100, description: `the fold of ${events.length} events` },
  );
}

export interface TopicRecord {
  key: string;
  value: string | null;
  headers: Record<string, string>;
  partition: number;
  offset: number;
}

/** Read a topic from the beginning up to its current end (a new subscriber's bootstrap). */
export async function readTopicToEnd(kafka: TestKafka, topic: string, timeoutMs = 30_000): Promise<TopicRecord[]> {
  const qualified = qualify({ topicPrefix: kafka.prefix }, topic);
  const admin = kafka.client.admin();
  await admin.connect();
  const ends = new Map((await admin.fetchTopicOffsets(qualified)).map((p) => [p.partition, Number(p.high)]));
  await admin.disconnect();
  const next = new Map([...ends.keys()].map((partition) => [partition, 0]));
  const records: TopicRecord[] = [];
  const consumer = kafka.client.consumer({ groupId: `${kafka.prefix}bootstrap-${randomBytes(4).toString('hex')}`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic: qualified, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        records.push({
          key: message.key?.toString('utf8') ?? '',
          value: message.value === null ? null : message.value.toString('utf8'),
          headers: Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)])),
          partition,
          offset: Number(message.offset),
        });
        next.set(partition, Number(message.offset) + 1);
      },
    });
    await waitFor(() => [...ends].every(([partition, end]) => (next.get(partition) ?? 0) >= end), {
      timeoutMs,
      description: `${topic} read to its end`,
    });
  } finally {
    await consumer.disconnect();
  }
  return records.sort((a, b) => a.partition - b.partition || a.offset - b.offset);
}

/** The last value per key (what compaction keeps); a tombstone removes the key. */
export function lastValuePerKey(records: TopicRecord[]): Map<string, string> {
  const state = new Map<string, string>();
  for (const record of records) {
    if (record.value === null) state.delete(record.key);
    else state.set(record.key, record.value);
  }
  return state;
}

/** Every row of the read model's tables, ordered, without the timestamps of the last change (updated_at). */
export async function dumpReadModel(db: DataSource, schema = 'projection'): Promise<Record<string, unknown[]>> {
  const tables: Record<string, string> = {
    users: 'application, user_id',
    devices: 'application, device_id',
    recipients: 'application, recipient_id',
    entity_versions: 'application, entity_type, entity_id',
    profile_versions: 'application, user_id',
  };
  const dump: Record<string, unknown[]> = {};
  for (const [table, order] of Object.entries(tables)) {
    const rows: Record<string, unknown>[] = await db.query(`SELECT * FROM "${schema}".${table} ORDER BY ${order}`);
    dump[table] = rows.map(({ updated_at: _ignored, ...rest }) => rest);
  }
  return dump;
}

/** Drop `updatedAt` everywhere (timestamps of the last change depend on arrival order). */
export function withoutUpdatedAt<T>(value: T): T {
  return JSON.parse(JSON.stringify(value), (key, inner: unknown) => (key === 'updatedAt' ? undefined : inner)) as T;
}
