import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import {
  APPLICATION_CREATED,
  APPLICATION_DELETED,
  APPLICATION_SETTINGS_CHANGED,
  ApplicationSettings,
  DEFAULT_APPLICATION_SETTINGS,
  Topics,
  newEnvelope,
} from '@omni/contracts';
import { Outbox, OutboxRelay } from '@omni/messaging';
import { queryRows } from '@omni/persistence';
import { SecretHasher, newApplicationKey, newSecret } from '../auth/credentials';

export interface ApplicationRecord {
  applicationKey: string;
  name: string;
  applicationSecretHash: Buffer;
  masterSecretHash: Buffer;
  settings: ApplicationSettings;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

/** What an admin sees of an application: never a secret or a hash. */
export interface ApplicationView {
  applicationKey: string;
  name: string;
  settings: ApplicationSettings;
  createdAt: Date;
  updatedAt: Date;
}

export interface CreatedApplication extends ApplicationView {
  /** Shown once, at creation; only their hashes are stored. */
  applicationSecret: string;
  masterSecret: string;
}

export type SecretKind = 'application' | 'master';

export const SECRET_HASHER = Symbol('SECRET_HASHER');

/** PostgreSQL channel every gateway LISTENs on: payload = an application key whose credentials changed. */
export const APPLICATION_CHANGED_CHANNEL = 'omni_application_changed';

interface Row {
  application_key: string;
  name: string;
  application_secret_hash: Buffer;
  master_secret_hash: Buffer;
  settings: ApplicationSettings;
  version: number;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = 'application_key, name, application_secret_hash, master_secret_hash, settings, version, created_at, updated_at';

/**
 * The application registry (gateway schema). The gateway owns applications: a change is written
 * with its event (application.events, via the outbox) in one transaction, and every gateway is
 * told at commit (NOTIFY) so its credential cache drops the entry.
 */
@Injectable()
export class ApplicationsStore {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(SECRET_HASHER) private readonly hasher: SecretHasher,
    @Inject(Outbox) private readonly outbox: Outbox,
    @Inject(OutboxRelay) private readonly relay: OutboxRelay,
  ) {}

  async create(name: string): Promise<CreatedApplication> {
    const applicationKey = newApplicationKey();
    const applicationSecret = newSecret();
    const masterSecret = newSecret();
    const row = await this.change(async (em) => {
      const [created]: Row[] = await queryRows<Row>(
        em,
        `INSERT INTO gateway.applications (application_key, name, application_secret_hash, master_secret_hash, settings, version)
         VALUES ($1, $2, $3, $4, $5::jsonb, 1) RETURNING ${COLUMNS}`,
        [applicationKey, name, this.hasher.hash(applicationSecret), this.hasher.hash(masterSecret), JSON.stringify(DEFAULT_APPLICATION_SETTINGS)],
      );
      await this.publish(em, created, APPLICATION_CREATED, { name, settings: created.settings });
      return created;
    });
    return { ...view(row), applicationSecret, masterSecret };
  }

  /** Any non-deleted application, for authentication (hashes included). */
  async find(applicationKey: string): Promise<ApplicationRecord | undefined> {
    const rows: Row[] = await queryRows<Row>(
        this.dataSource,
      `SELECT ${COLUMNS} FROM gateway.applications WHERE application_key = $1 AND deleted_at IS NULL`,
      [applicationKey],
    );
    return rows[0] && record(rows[0]);
  }

  async get(applicationKey: string): Promise<ApplicationView | undefined> {
    const found = await this.find(applicationKey);
    return found && view(found);
  }

  async list(skip: number, limit: number): Promise<{ applications: ApplicationView[]; total: number }> {
    const rows: Row[] = await queryRows<Row>(
        this.dataSource,
      `SELECT ${COLUMNS} FROM gateway.applications WHERE deleted_at IS NULL ORDER BY created_at, application_key OFFSET $1 LIMIT $2`,
      [skip, limit],
    );
    const [{ total }] = await this.dataSource.query(
      'SELECT count(*)::int AS total FROM gateway.applications WHERE deleted_at IS NULL',
    );
    return { applications: rows.map((row) => view(record(row))), total };
  }

  async rename(applicationKey: string, name: string): Promise<ApplicationView | undefined> {
    const row = await this.change(async (em) => {
      const rows: Row[] = await queryRows<Row>(
        em,
        `UPDATE gateway.applications SET name = $2, updated_at = now()
          WHERE application_key = $1 AND deleted_at IS NULL RETURNING ${COLUMNS}`,
        [applicationKey, name],
      );
      if (rows[0]) await this.touched(em, applicationKey);
      return rows[0];
    });
    return row && view(record(row));
  }

  /** Replace one secret; the old one stops working on every gateway at commit. */
  async rotate(applicationKey: string, kind: SecretKind): Promise<string | undefined> {
    const secret = newSecret();
    const column = kind === 'master' ? 'master_secret_hash' : 'application_secret_hash';
    const rotated = await this.change(async (em) => {
      const rows: Row[] = await queryRows<Row>(
        em,
        `UPDATE gateway.applications SET ${column} = $2, updated_at = now()
          WHERE application_key = $1 AND deleted_at IS NULL RETURNING ${COLUMNS}`,
        [applicationKey, this.hasher.hash(secret)],
      );
      if (rows[0]) await this.touched(em, applicationKey);
      return rows[0];
    });
    return rotated && secret;
  }

  /** Delete: credentials stop working and the application's data becomes unreachable. */
  async delete(applicationKey: string): Promise<boolean> {
    const deleted = await this.change(async (em) => {
      const rows: Row[] = await queryRows<Row>(
        em,
        `UPDATE gateway.applications SET deleted_at = now(), updated_at = now(), version = version + 1
          WHERE application_key = $1 AND deleted_at IS NULL RETURNING ${COLUMNS}`,
        [applicationKey],
      );
      if (rows[0]) await this.publish(em, rows[0], APPLICATION_DELETED, {});
      return rows[0];
    });
    return deleted !== undefined;
  }

  /**
   * Change the settings document under a row lock: `edit` gets the current settings and returns the
   * new ones (or throws an ApiError). An unchanged document writes nothing and emits nothing.
   */
  async updateSettings(
    applicationKey: string,
    edit: (current: ApplicationSettings) => ApplicationSettings,
  ): Promise<ApplicationSettings | undefined> {
    return this.change(async (em) => {
      const rows: Row[] = await queryRows<Row>(
        em,
        `SELECT ${COLUMNS} FROM gateway.applications WHERE application_key = $1 AND deleted_at IS NULL FOR UPDATE`,
        [applicationKey],
      );
      if (!rows[0]) return undefined;
      const next = edit(rows[0].settings);
      if (JSON.stringify(next) === JSON.stringify(rows[0].settings)) return rows[0].settings;
      const [updated]: Row[] = await queryRows<Row>(
        em,
        `UPDATE gateway.applications SET settings = $2::jsonb, version = version + 1, updated_at = now()
          WHERE application_key = $1 RETURNING ${COLUMNS}`,
        [applicationKey, JSON.stringify(next)],
      );
      await this.publish(em, updated, APPLICATION_SETTINGS_CHANGED, { settings: updated.settings });
      return updated.settings;
    });
  }

  /** A change and its event commit together; then the relay is woken. */
  private async change<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    const result = await this.dataSource.transaction(work);
    this.relay.wake();
    return result;
  }

  /** Tell every gateway (at commit) to drop what it cached of this application. */
  private async touched(em: EntityManager | DataSource, applicationKey: string): Promise<void> {
    await em.query('SELECT pg_notify($1, $2)', [APPLICATION_CHANGED_CHANNEL, applicationKey]);
  }

  private async publish<T extends typeof APPLICATION_CREATED | typeof APPLICATION_SETTINGS_CHANGED | typeof APPLICATION_DELETED>(
    em: EntityManager,
    row: Row,
    type: T,
    payload: object,
  ): Promise<void> {
    await this.outbox.add(
      em,
      Topics.applicationEvents,
      newEnvelope({ type, application: row.application_key, aggregateId: row.application_key, aggregateVersion: row.version, payload }),
    );
    await this.touched(em, row.application_key);
  }
}

function record(row: Row): ApplicationRecord {
  return {
    applicationKey: row.application_key,
    name: row.name,
    applicationSecretHash: row.application_secret_hash,
    masterSecretHash: row.master_secret_hash,
    settings: row.settings,
    version: row.version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function view(row: ApplicationRecord | Row): ApplicationView {
  const r = 'applicationKey' in row ? row : record(row);
  return { applicationKey: r.applicationKey, name: r.name, settings: r.settings, createdAt: r.createdAt, updatedAt: r.updatedAt };
}
