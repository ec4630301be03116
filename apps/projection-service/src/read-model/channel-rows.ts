import { EntityManager } from 'typeorm';
import { SharedTransaction, batchOf, queryRows, statementChunks, valuesList } from '@omni/persistence';
import { ReadModelTables } from '@omni/read-model';

/** A row of `devices`, as the fold changes it in memory (timestamps as ISO text). */
export interface DeviceRow {
  application: string;
  device_id: string;
  user_id: string | null;
  user_name: string | null;
  platform: string;
  transport: string;
  properties: Record<string, unknown>;
  tags: string[];
  user_data: Record<string, unknown>;
  status: string;
  created_at: string;
  updated_at: string;
}

/** A row of `recipients`, likewise. */
export interface RecipientRow {
  application: string;
  recipient_id: string;
  channel: string;
  address: string;
  user_id: string | null;
  user_name: string | null;
  properties: Record<string, unknown>;
  tags: string[];
  user_data: Record<string, unknown>;
  status: string;
  verification: string;
  created_at: string;
  updated_at: string;
}

export type ChannelTable = 'devices' | 'recipients';
export type ChannelRow<T extends ChannelTable> = T extends 'devices' ? DeviceRow : RecipientRow;

/** Each channel table's id column and its columns with their types, the key first. */
const LAYOUTS = {
  devices: {
    idColumn: 'device_id',
    columns: {
      application: 'text',
      device_id: 'text',
      user_id: 'text',
      user_name: 'text',
      platform: 'text',
      transport: 'text',
      properties: 'jsonb',
      tags: 'text[]',
      user_data: 'jsonb',
      status: 'text',
      created_at: 'timestamptz',
      updated_at: 'timestamptz',
    },
  },
  recipients: {
    idColumn: 'recipient_id',
    columns: {
      application: 'text',
      recipient_id: 'text',
      channel: 'text',
      address: 'text',
      user_id: 'text',
      user_name: 'text',
      properties: 'jsonb',
      tags: 'text[]',
      user_data: 'jsonb',
      status: 'text',
      verification: 'text',
      created_at: 'timestamptz',
      updated_at: 'timestamptz',
    },
  },
} as const;

/** A channel's rows as a batch left them: a row, or null for none (never was, or deleted). */
type BatchRows<Row> = { rows: Map<string, Row | null>; changed: Set<string> };

/**
 * A channel table (devices or recipients) as the fold's batch sees it: rows read once (preloaded
 * for the batch's channels, else on first use), changed in memory by the batch's events in their
 * order, and written back before the batch commits with one statement for the rows it changed and
 * one for those it deleted. Everything that reads the table with SQL in the batch (the profile
 * composer) runs after `flush`.
 */
export class ChannelRows<T extends ChannelTable> {
  private readonly idColumn: string;
  private readonly columns: string[];
  private readonly types: string[];
  private readonly selectOne: string;
  private readonly upsertColumns: string;
  private readonly table: string;

  constructor(
    tables: ReadModelTables,
    readonly name: T,
  ) {
    const layout = LAYOUTS[name];
    this.table = tables[name];
    this.idColumn = layout.idColumn;
    this.columns = Object.keys(layout.columns);
    this.types = Object.values(layout.columns);
    this.selectOne = `SELECT to_jsonb(c) AS row FROM ${this.table} c WHERE application = $1 AND ${this.idColumn} = $2`;
    this.upsertColumns = this.columns
      .filter((column) => column !== 'application' && column !== this.idColumn)
      .map((column) => `${column} = EXCLUDED.${column}`)
      .join(', ');
  }

  /** SQL for a channel's row as JSON (null: none), its application and id given as SQL expressions (a preload's columns). */
  rowJson(application: string, id: string): string {
    return `(SELECT to_jsonb(c) FROM ${this.table} c WHERE c.application = ${application} AND c.${this.idColumn} = ${id})`;
  }

  /** Rows read for the batch (null: the channel has none); a row the batch knows already is kept. */
  preloaded(em: EntityManager, rows: { application: string; id: string; row: ChannelRow<T> | null }[]): void {
    const batch = this.batchRows(em);
    for (const { application, id, row } of rows) {
      const key = rowKey(application, id);
      if (!batch.rows.has(key)) batch.rows.set(key, row);
    }
  }

  /** The channel's row as the batch has it so far (undefined: none). Change it only through `update` or `put`. */
  async get(em: EntityManager, application: string, id: string): Promise<ChannelRow<T> | undefined> {
    const batch = this.batchRows(em);
    const key = rowKey(application, id);
    if (!batch.rows.has(key)) {
      const [found] = await queryRows<{ row: ChannelRow<T> }>(em, this.selectOne, [application, id]);
      batch.rows.set(key, found?.row ?? null);
    }
    return batch.rows.get(key) ?? undefined;
  }

  /** Change an existing row (nothing when the channel has none). */
  async update(em: EntityManager, application: string, id: string, change: (row: ChannelRow<T>) => void): Promise<void> {
    const row = await this.get(em, application, id);
    if (!row) return;
    change(row);
    this.changed(em, rowKey(application, id));
  }

  /** Set a channel's whole row; an existing row keeps its createdAt. */
  async put(em: EntityManager, row: ChannelRow<T>): Promise<void> {
    const id = this.idOf(row);
    const existing = await this.get(em, row.application, id);
    const batch = this.batchRows(em);
    const key = rowKey(row.application, id);
    batch.rows.set(key, existing ? { ...row, created_at: existing.created_at } : row);
    this.changed(em, key);
  }

  async delete(em: EntityManager, application: string, id: string): Promise<void> {
    const batch = this.batchRows(em);
    const key = rowKey(application, id);
    batch.rows.set(key, null);
    this.changed(em, key);
  }

  /** Write what the batch changed: the rows it has, and deletes for those it removed. */
  async flush(em: EntityManager): Promise<void> {
    const batch = this.batchRows(em);
    if (batch.changed.size === 0) return;
    const kept: ChannelRow<T>[] = [];
    const deleted: [string, string][] = [];
    for (const key of batch.changed) {
      const row = batch.rows.get(key);
      if (row) kept.push(row);
      else deleted.push(splitKey(key));
    }
    batch.changed.clear();
    for (const chunk of statementChunks(kept, this.columns.length)) {
      const { sql, values } = valuesList(
        chunk.map((row) => this.columns.map((column) => columnValue((row as unknown as Record<string, unknown>)[column], this.types[this.columns.indexOf(column)]))),
        this.types,
      );
      await em.query(
        // eslint-disable-next-line omni/sql-parameters -- a VALUES list of placeholders
        `INSERT INTO ${this.table} (${this.columns.join(', ')}) VALUES ${sql}
         ON CONFLICT (application, ${this.idColumn}) DO UPDATE SET ${this.upsertColumns}`,
        values,
      );
    }
    if (deleted.length > 0) {
      await em.query(
        // eslint-disable-next-line omni/sql-parameters -- this.table is a name of readModelTables()
        `DELETE FROM ${this.table} WHERE (application, ${this.idColumn}) IN (SELECT * FROM unnest($1::text[], $2::text[]))`,
        [deleted.map(([application]) => application), deleted.map(([, id]) => id)],
      );
    }
  }

  /** Forget every row read (after SQL changed the table behind the batch's back: an erasure); write what changed first. */
  async forget(em: EntityManager): Promise<void> {
    await this.flush(em);
    this.batchRows(em).rows.clear();
  }

  private idOf(row: ChannelRow<T>): string {
    return (row as unknown as Record<string, string>)[this.idColumn];
  }

  /** A row the batch changed: written by `flush` before it commits. */
  private changed(em: EntityManager, key: string): void {
    this.batchRows(em).changed.add(key);
    this.batchOf(em).once(this, (batchEm) => this.flush(batchEm));
  }

  private batchRows(em: EntityManager): BatchRows<ChannelRow<T>> {
    return this.batchOf(em).local(this, () => ({ rows: new Map(), changed: new Set() }) as BatchRows<ChannelRow<T>>);
  }

  private batchOf(em: EntityManager): SharedTransaction {
    const batch = batchOf(em);
    if (!batch) throw new Error(`${this.name} rows are changed in a batch only (Projection.apply opens one)`);
    return batch;
  }
}

function columnValue(value: unknown, type: string): unknown {
  return type === 'jsonb' ? JSON.stringify(value) : value;
}

function rowKey(application: string, id: string): string {
  return `${application}\u0000${id}`;
}

function splitKey(key: string): [string, string] {
  const separator = key.indexOf('\u0000');
  return [key.slice(0, separator), key.slice(separator + 1)];
}

/**
 * A channel's properties after an update that sends only what changed, as `jsonb_strip_nulls(stored
 * || patch)` computes them: the patch's keys replace the stored ones, and a key sent as null is
 * cleared (nulls go at every depth; null items of an array stay).
 */
export function mergedProperties(stored: Record<string, unknown>, patch: object | undefined): Record<string, unknown> {
  const merged = { ...stored };
  // A property the patch does not hold (undefined on a decoded payload) is not sent, as in JSON.
  for (const [key, value] of Object.entries(patch ?? {})) if (value !== undefined) merged[key] = value;
  return stripNulls(merged) as Record<string, unknown>;
}

function stripNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripNulls);
  if (typeof value !== 'object' || value === null) return value;
  const kept: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) if (field !== null && field !== undefined) kept[key] = stripNulls(field);
  return kept;
}
