import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { COMMAND_PROGRESS_CHANNEL, Envelope, VisibleOutcomeNotice, progressPayload } from '@omni/contracts';
import { SharedTransaction, batchOf, queryRows, serializationFailure, statementChunks, valuesList } from '@omni/persistence';
import { ChannelRows, DeviceRow, RecipientRow } from './channel-rows';
import { ReadModel } from './read-model.provider';

/** The version gate, the channel rows of a batch, and the visibility signal every projector uses. */
@Injectable()
export class ProjectionStore {
  readonly devices: ChannelRows<'devices'>;
  readonly recipients: ChannelRows<'recipients'>;

  private readonly advanceSql: string;
  private readonly preloadSql: string;

  constructor(private readonly model: ReadModel) {
    const { entityVersions } = model.tables;
    this.devices = new ChannelRows(model.tables, 'devices');
    this.recipients = new ChannelRows(model.tables, 'recipients');
    this.advanceSql = `INSERT INTO ${entityVersions} AS v (application, entity_type, entity_id, version)
        VALUES ($1, $2, $3, $4)
        ON CONFLICT (application, entity_type, entity_id)
        DO UPDATE SET version = EXCLUDED.version, updated_at = now()
        WHERE v.version < EXCLUDED.version
        RETURNING 1`;
    this.preloadSql = `WITH wanted AS (SELECT * FROM unnest($1::text[], $2::text[], $3::text[]) AS w(application, entity_type, entity_id)),
      locked AS (
        SELECT v.application, v.entity_type, v.entity_id, v.version FROM ${entityVersions} v
          JOIN wanted w ON v.application = w.application AND v.entity_type = w.entity_type AND v.entity_id = w.entity_id
         ORDER BY v.application COLLATE "C", v.entity_type, v.entity_id COLLATE "C" FOR UPDATE OF v)
      SELECT w.application, w.entity_type, w.entity_id, l.version,
             CASE w.entity_type WHEN 'device' THEN ${this.devices.rowJson('w.application', 'w.entity_id')}
                                WHEN 'recipient' THEN ${this.recipients.rowJson('w.application', 'w.entity_id')} END AS row
        FROM wanted w LEFT JOIN locked l
          ON l.application = w.application AND l.entity_type = w.entity_type AND l.entity_id = w.entity_id`;
  }

  /**
   * For a consumer's batch, before its events are applied: the versions of the entities they are
   * about (their rows locked) and each channel's row, with one statement. The version gate then
   * decides in memory, the events change the rows in memory, and the batch writes the new versions
   * and rows together before it commits (flushVersions, ChannelRows.flush). An entity not
   * preloaded takes the gate's statement.
   */
  async preload(em: EntityManager, entities: readonly PreloadedEntity[]): Promise<void> {
    const batch = batchOf(em);
    if (!batch || entities.length === 0) return;
    const gate = this.gateOf(batch);
    const wanted = entities.filter((entity) => !gate.has(entityKey(entity.application, entity.entityType, entity.entityId)));
    if (wanted.length === 0) return;
    const rows = await queryRows<{ application: string; entity_type: string; entity_id: string; version: number | null; row: DeviceRow & RecipientRow | null }>(
      em,
      this.preloadSql,
      [wanted.map((c) => c.application), wanted.map((c) => c.entityType), wanted.map((c) => c.entityId)],
    );
    for (const row of rows) {
      const key = entityKey(row.application, row.entity_type, row.entity_id);
      if (gate.has(key)) continue;
      gate.set(key, { application: row.application, entityType: row.entity_type, entityId: row.entity_id, stored: row.version, current: row.version });
      const channel = { application: row.application, id: row.entity_id, row: row.row };
      if (row.entity_type === 'device') this.devices.preloaded(em, [channel]);
      else if (row.entity_type === 'recipient') this.recipients.preloaded(em, [channel]);
    }
  }

  /**
   * Record that `event` is applied to its entity, if it is newer than what the read model has;
   * false for a duplicate or stale event: the caller must then change nothing.
   */
  async advance(em: EntityManager, entityType: string, event: Envelope): Promise<boolean> {
    if (event.aggregateVersion === null) throw new Error(`event ${event.type} ${event.id} has no aggregate version`);
    const batch = batchOf(em);
    const preloaded = batch && this.gateOf(batch).get(entityKey(event.application, entityType, event.aggregateId));
    if (batch && preloaded) {
      if (preloaded.current !== null && preloaded.current >= event.aggregateVersion) return false;
      preloaded.current = event.aggregateVersion;
      batch.once(BATCH_GATE, (batchEm) => this.flushVersions(batchEm));
      return true;
    }
    const advanced = await queryRows(em, this.advanceSql, [event.application, entityType, event.aggregateId, event.aggregateVersion]);
    return advanced.length > 0;
  }

  /**
   * Write the versions the batch's gate advanced in memory: new entities in one insert, known ones
   * in one update, each only if its row is still as preloaded (else a serialization failure: the
   * batch rolls back and its events are applied again one at a time).
   */
  async flushVersions(em: EntityManager): Promise<void> {
    const batch = batchOf(em);
    if (!batch) return;
    const advanced = [...this.gateOf(batch).values()].filter((entity) => entity.current !== entity.stored);
    const table = this.model.tables.entityVersions;
    let written = 0;
    const rowOf = (e: KnownVersion) => [e.application, e.entityType, e.entityId, e.current];
    for (const chunk of statementChunks(advanced.filter((e) => e.stored === null), 4)) {
      const { sql, values } = valuesList(chunk.map(rowOf), ['text', 'text', 'text', 'integer']);
      written += (
        await queryRows(
          em,
          // eslint-disable-next-line omni/sql-parameters -- a VALUES list of placeholders
          `INSERT INTO ${table} (application, entity_type, entity_id, version) VALUES ${sql} ON CONFLICT DO NOTHING RETURNING 1`,
          values,
        )
      ).length;
    }
    for (const chunk of statementChunks(advanced.filter((e) => e.stored !== null), 5)) {
      const { sql, values } = valuesList(chunk.map((e) => [...rowOf(e), e.stored]), ['text', 'text', 'text', 'integer', 'integer']);
      written += (
        await queryRows(
          em,
          // eslint-disable-next-line omni/sql-parameters -- a VALUES list of placeholders
          `UPDATE ${table} AS v SET version = x.version, updated_at = now()
             FROM (VALUES ${sql}) AS x(application, entity_type, entity_id, version, stored)
            WHERE v.application = x.application AND v.entity_type = x.entity_type AND v.entity_id = x.entity_id AND v.version = x.stored
            RETURNING 1`,
          values,
        )
      ).length;
    }
    for (const entity of advanced) entity.stored = entity.current;
    if (written < advanced.length) throw serializationFailure(`${advanced.length - written} entity version(s) moved concurrently; retrying`);
  }

  /** An entity whose version row SQL deleted behind the gate (an erased user): its next event takes the gate's statement. */
  forget(em: EntityManager, application: string, entityType: string, entityId: string): void {
    const batch = batchOf(em);
    if (batch) this.gateOf(batch).delete(entityKey(application, entityType, entityId));
  }

  /** The batch's preloaded versions, by entity. */
  private gateOf(batch: SharedTransaction): Map<string, KnownVersion> {
    return batch.local(BATCH_GATE, () => new Map<string, KnownVersion>());
  }

  /**
   * Tell waiting gateways (at commit) that something of this command became visible. In a
   * consumer's batch the notifications go in one statement after everything else it wrote.
   */
  async signal(em: EntityManager, correlationId: string): Promise<void> {
    await this.notify(em, correlationId);
  }

  /** Tell waiting gateways (at commit) that this outcome is visible, with the outcome itself. */
  async signalVisible(em: EntityManager, notice: VisibleOutcomeNotice): Promise<void> {
    await this.notify(em, notice.correlationId, notice);
  }

  private async notify(em: EntityManager, correlationId: string, notice?: VisibleOutcomeNotice): Promise<void> {
    const batch = batchOf(em);
    if (!batch) {
      await em.query('SELECT pg_notify($1, $2)', [COMMAND_PROGRESS_CHANNEL, notice ? progressPayload(notice) : correlationId]);
      return;
    }
    // Per correlation id, its visible outcomes; a notice wakes every write of its correlation id, as the id alone does.
    const pending = batch.local(PENDING_SIGNALS, () => new Map<string, VisibleOutcomeNotice[]>());
    const notices = pending.get(correlationId) ?? [];
    if (notice) notices.push(notice);
    pending.set(correlationId, notices);
    batch.once(
      PENDING_SIGNALS,
      async (batchEm) => {
        const payloads = [...pending].flatMap(([id, visible]) => (visible.length > 0 ? visible.map(progressPayload) : [id]));
        pending.clear();
        await batchEm.query('SELECT pg_notify($1, payload) FROM unnest($2::text[]) AS payload', [COMMAND_PROGRESS_CHANNEL, payloads]);
      },
      { last: true },
    );
  }
}

const PENDING_SIGNALS = Symbol('pending command progress signals');
const BATCH_GATE = Symbol('the version gate of a batch');

/** A preloaded entity's version: as stored (null: no row yet), and as the batch's events left it. */
interface KnownVersion {
  application: string;
  entityType: string;
  entityId: string;
  stored: number | null;
  current: number | null;
}

/** An entity whose version (and channel row) a batch reads ahead. */
export interface PreloadedEntity {
  application: string;
  entityType: 'user' | 'device' | 'recipient';
  entityId: string;
}

/** The channels (devices, contacts) a unit's events are about, from the messages as read. */
export function channelsOf(messages: readonly Record<string, unknown>[]): PreloadedEntity[] {
  const channels: PreloadedEntity[] = [];
  for (const { type, application, aggregateId } of messages) {
    if (typeof type !== 'string' || typeof application !== 'string' || typeof aggregateId !== 'string') continue;
    const entityType = type.startsWith('device.') ? 'device' : type.startsWith('recipient.') ? 'recipient' : undefined;
    if (entityType) channels.push({ application, entityType, entityId: aggregateId });
  }
  return channels;
}

function entityKey(application: string, entityType: string, entityId: string): string {
  return `${application}\u0000${entityType}\u0000${entityId}`;
}
