import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { COMMAND_PROGRESS_CHANNEL, Envelope, VisibleOutcomeNotice, progressPayload } from '@omni/contracts';
import { batchOf, queryRows } from '@omni/persistence';
import { ReadModel } from './read-model.provider';

/** The version gate and visibility signal every projector uses. */
@Injectable()
export class ProjectionStore {
  private readonly advanceSql: string;
  private readonly advanceDeviceSql: string;
  private readonly advanceRecipientSql: string;

  constructor(private readonly model: ReadModel) {
    const { devices, recipients } = model.tables;
    this.advanceSql = this.advancing('ARRAY[]::text[]');
    this.advanceDeviceSql = this.advancing(`ARRAY(SELECT user_id FROM ${devices} WHERE application = $1 AND device_id = $3 AND user_id IS NOT NULL)`);
    this.advanceRecipientSql = this.advancing(
      `ARRAY(SELECT user_id FROM ${recipients} WHERE application = $1 AND recipient_id = $3 AND user_id IS NOT NULL)`,
    );
  }

  /**
   * Record that `event` is applied to its entity, if it is newer than what the read model has;
   * `advanced` false for a duplicate or stale event: the caller must then change nothing. With a
   * channel table (`owners`), the same statement (one round trip) reads the user who owns the
   * channel before the event changes it: none for an anonymous or new channel.
   */
  async advance(
    em: EntityManager,
    entityType: string,
    event: Envelope,
    owners?: 'devices' | 'recipients',
  ): Promise<{ advanced: boolean; owners: string[] }> {
    if (event.aggregateVersion === null) throw new Error(`event ${event.type} ${event.id} has no aggregate version`);
    const [row] = await queryRows<{ advanced: boolean; owners: string[] }>(
      em,
      owners === undefined ? this.advanceSql : owners === 'devices' ? this.advanceDeviceSql : this.advanceRecipientSql,
      [event.application, entityType, event.aggregateId, event.aggregateVersion],
    );
    return row;
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

  /** The version gate, with `owners` read from the statement's snapshot (before any change of this event). */
  private advancing(owners: string): string {
    return `WITH advanced AS (
        INSERT INTO ${this.model.tables.entityVersions} AS v (application, entity_type, entity_id, version)
        VALUES ($1, $2, $3, $4)
        ON CONFLICT (application, entity_type, entity_id)
        DO UPDATE SET version = EXCLUDED.version, updated_at = now()
        WHERE v.version < EXCLUDED.version
        RETURNING 1)
      SELECT EXISTS (SELECT 1 FROM advanced) AS advanced, ${owners} AS owners`;
  }
}

const PENDING_SIGNALS = Symbol('pending command progress signals');
