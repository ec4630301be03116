import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown, Provider } from '@nestjs/common';
import { Kafka } from 'kafkajs';
import { EntityManager } from 'typeorm';
import {
  APPLICATION_CREATED,
  APPLICATION_DELETED,
  APPLICATION_SETTINGS_CHANGED,
  ApplicationSettings,
  ChannelLimits,
  DEFAULT_APPLICATION_SETTINGS,
  Message,
  Topics,
  channelLimitsOf,
} from '@omni/contracts';
import {
  KAFKA_SETTINGS,
  KafkaSettings,
  MessageConsumer,
  MessageHandler,
  MessagePublisher,
  handlerMap,
} from '@omni/messaging';
import { HealthRegistry, LOGGER, Logger } from '@omni/observability';
import { SERVICE_SCHEMA, TransactionRunner, batchOf, queryRows, quoteIdentifier } from '@omni/persistence';

/**
 * A service's local copy of every application's settings, kept from `application.events`.
 *
 * The copy is one row per application holding the whole settings document and its version, so a
 * command reads either the old or the new settings, never half of each. Every instance of the
 * service reads the same row, so a change reaches them all as soon as one instance applied it.
 */
export function applicationSettingsDdl(schema: string): string[] {
  return [
    `CREATE TABLE ${quoteIdentifier(schema)}.application_settings (
       application text PRIMARY KEY,
       settings jsonb NOT NULL,
       version integer NOT NULL,
       deleted boolean NOT NULL DEFAULT false,
       updated_at timestamptz NOT NULL DEFAULT now()
     )`,
  ];
}

export interface KnownApplication {
  settings: ApplicationSettings;
  version: number;
}

interface SettingsRow extends KnownApplication {
  deleted: boolean;
}

@Injectable()
export class ApplicationSettingsStore {
  private readonly table: string;

  constructor(@Inject(SERVICE_SCHEMA) schema: string) {
    this.table = `${quoteIdentifier(schema)}.application_settings`;
  }

  /** The settings in force for `application`, or undefined if unknown or deleted. */
  async get(em: EntityManager, application: string): Promise<KnownApplication | undefined> {
    const row = await this.row(em, application);
    return row && !row.deleted ? { settings: row.settings, version: row.version } : undefined;
  }

  /** The channel limits in force for `application` (the defaults when it set none, or is unknown). */
  async channelLimits(em: EntityManager, application: string): Promise<Required<ChannelLimits>> {
    return channelLimitsOf((await this.get(em, application))?.settings ?? DEFAULT_APPLICATION_SETTINGS);
  }

  /** The version of the copy (deleted or not), or undefined when nothing arrived yet. */
  async version(em: EntityManager, application: string): Promise<number | undefined> {
    return (await this.row(em, application))?.version;
  }

  /**
   * The application's row, read once per consumer batch: its commands are judged by the settings
   * as they were when the batch read them, as if it had run a moment earlier (a command that needs
   * newer settings fails the batch and is retried alone, with a fresh read).
   */
  private async row(em: EntityManager, application: string): Promise<SettingsRow | undefined> {
    const read = async () =>
      (
        await queryRows<SettingsRow>(em, `SELECT settings, version, deleted FROM ${this.table} WHERE application = $1`, [application])
      )[0];
    const batch = batchOf(em);
    if (!batch) return read();
    const rows = batch.local(this.rows, () => new Map<string, Promise<SettingsRow | undefined>>());
    if (!rows.has(application)) rows.set(application, read());
    return rows.get(application);
  }

  private readonly rows = Symbol('application settings read in this batch');

  /** Apply a newer version; an older or repeated one changes nothing. */
  async apply(em: EntityManager, application: string, version: number, settings: ApplicationSettings | null): Promise<void> {
    await em.query(
      `INSERT INTO ${this.table} AS s (application, settings, version, deleted) VALUES ($1, $2::jsonb, $3, $4)
       ON CONFLICT (application) DO UPDATE
         SET settings = CASE WHEN EXCLUDED.deleted THEN s.settings ELSE EXCLUDED.settings END,
             version = EXCLUDED.version, deleted = EXCLUDED.deleted, updated_at = now()
       WHERE s.version < EXCLUDED.version`,
      [application, JSON.stringify(settings ?? {}), version, settings === null],
    );
  }
}

type SettingsEvent =
  | Message<typeof APPLICATION_CREATED>
  | Message<typeof APPLICATION_SETTINGS_CHANGED>
  | Message<typeof APPLICATION_DELETED>;

abstract class SettingsHandler {
  constructor(
    private readonly tx: TransactionRunner,
    private readonly store: ApplicationSettingsStore,
  ) {}

  protected async applyEvent(event: SettingsEvent): Promise<void> {
    const settings = event.type === APPLICATION_DELETED ? null : event.payload.settings;
    await this.tx.run((em) => this.store.apply(em, event.application, event.aggregateVersion ?? 0, settings));
  }
}

@Injectable()
export class ApplicationCreatedHandler extends SettingsHandler implements MessageHandler<typeof APPLICATION_CREATED> {
  readonly type = APPLICATION_CREATED;
  constructor(tx: TransactionRunner, store: ApplicationSettingsStore) {
    super(tx, store);
  }
  handle(event: Message<typeof APPLICATION_CREATED>): Promise<void> {
    return this.applyEvent(event);
  }
}

@Injectable()
export class ApplicationSettingsChangedHandler
  extends SettingsHandler
  implements MessageHandler<typeof APPLICATION_SETTINGS_CHANGED>
{
  readonly type = APPLICATION_SETTINGS_CHANGED;
  constructor(tx: TransactionRunner, store: ApplicationSettingsStore) {
    super(tx, store);
  }
  handle(event: Message<typeof APPLICATION_SETTINGS_CHANGED>): Promise<void> {
    return this.applyEvent(event);
  }
}

@Injectable()
export class ApplicationDeletedHandler extends SettingsHandler implements MessageHandler<typeof APPLICATION_DELETED> {
  readonly type = APPLICATION_DELETED;
  constructor(tx: TransactionRunner, store: ApplicationSettingsStore) {
    super(tx, store);
  }
  handle(event: Message<typeof APPLICATION_DELETED>): Promise<void> {
    return this.applyEvent(event);
  }
}


/** Thrown (and retried by the consumer) while a command waits for the settings it was accepted under. */
export class SettingsNotYetApplied extends Error {
  readonly transient = true;
  constructor(application: string, have: number, need: number) {
    super(`settings of ${application} are at version ${have}, the command needs ${need}: retrying`);
    this.name = 'SettingsNotYetApplied';
  }
}

/** How long a command waits for its settings before it is judged by the settings there are. */
export const SETTINGS_WAIT_LIMIT_MS = 60_000;

/**
 * The gate a command service puts before its use cases: a command accepted by the gateway under
 * settings version N waits (is retried) until this service's copy has reached N, so a client that
 * changes a setting and then writes is judged by the new setting. Bounded: after
 * SETTINGS_WAIT_LIMIT_MS from the command's creation it goes on with what the service has (an
 * application.events message that never comes must not stall a partition for ever).
 */
export function settingsGate(store: ApplicationSettingsStore, now: () => number = Date.now) {
  return async (em: EntityManager, command: { application: string; time: string; requiresSettingsVersion?: number }): Promise<void> => {
    const need = command.requiresSettingsVersion;
    if (need === undefined) return;
    const have = (await store.version(em, command.application)) ?? 0;
    if (have >= need) return;
    if (now() - Date.parse(command.time) > SETTINGS_WAIT_LIMIT_MS) return;
    throw new SettingsNotYetApplied(command.application, have, need);
  };
}

export const SETTINGS_CONSUMER_GROUP = Symbol('SETTINGS_CONSUMER_GROUP');

/**
 * The service's own consumer of application.events, in a consumer group of its own
 * (`<service>-settings`): settings keep flowing while a command partition waits for them (a
 * command held back by the settings gate must never hold back the settings it waits for).
 */
@Injectable()
export class ApplicationSettingsConsumer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly consumer: MessageConsumer;

  constructor(
    @Inject(SETTINGS_CONSUMER_GROUP) groupId: string,
    @Inject(Kafka) kafka: Kafka,
    @Inject(KAFKA_SETTINGS) settings: KafkaSettings,
    @Inject(MessagePublisher) publisher: MessagePublisher,
    @Inject(LOGGER) logger: Logger,
    @Inject(HealthRegistry) health: HealthRegistry,
    created: ApplicationCreatedHandler,
    changed: ApplicationSettingsChangedHandler,
    deleted: ApplicationDeletedHandler,
  ) {
    const byType = handlerMap([created, changed, deleted] as MessageHandler[]);
    this.consumer = new MessageConsumer(kafka, settings, publisher, logger, {
      groupId,
      topics: [Topics.applicationEvents],
      handlerFor: (type) => {
        const handler = byType.get(type);
        return handler && ((message, context) => handler.handle(message as never, context));
      },
    });
    health.register('settings-consumer', async () => {
      if (!this.consumer.healthy()) throw new Error(`consumer ${groupId} is not running`);
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.consumer.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.consumer.stop();
  }
}


/** Providers a command service lists to keep its copy of every application's settings. */
export function applicationSettingsProviders(serviceName: string): Provider[] {
  return [
    { provide: SETTINGS_CONSUMER_GROUP, useValue: `${serviceName}-settings` },
    ApplicationSettingsStore,
    ApplicationCreatedHandler,
    ApplicationSettingsChangedHandler,
    ApplicationDeletedHandler,
    ApplicationSettingsConsumer,
  ];
}
