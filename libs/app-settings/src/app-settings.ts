import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import {
  APPLICATION_CREATED,
  APPLICATION_DELETED,
  APPLICATION_SETTINGS_CHANGED,
  ApplicationSettings,
  Message,
} from '@omni/contracts';
import { MessageHandler } from '@omni/messaging';
import { SERVICE_SCHEMA, TransactionRunner, quoteIdentifier } from '@omni/persistence';

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

@Injectable()
export class ApplicationSettingsStore {
  private readonly table: string;

  constructor(@Inject(SERVICE_SCHEMA) schema: string) {
    this.table = `${quoteIdentifier(schema)}.application_settings`;
  }

  /** The settings in force for `application`, or undefined if unknown or deleted. */
  async get(em: EntityManager, application: string): Promise<KnownApplication | undefined> {
    const rows: { settings: ApplicationSettings; version: number }[] = await em.query(
      `SELECT settings, version FROM ${this.table} WHERE application = $1 AND NOT deleted`,
      [application],
    );
    return rows[0];
  }

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

/** Providers a service module lists to keep its copy of the settings; add the handlers to MESSAGE_HANDLERS. */
export const APPLICATION_SETTINGS_PROVIDERS = [
  ApplicationSettingsStore,
  ApplicationCreatedHandler,
  ApplicationSettingsChangedHandler,
  ApplicationDeletedHandler,
];

export const APPLICATION_SETTINGS_HANDLERS = [
  ApplicationCreatedHandler,
  ApplicationSettingsChangedHandler,
  ApplicationDeletedHandler,
];
