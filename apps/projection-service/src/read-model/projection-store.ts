import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { COMMAND_PROGRESS_CHANNEL, Envelope } from '@omni/contracts';
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
   * consumer's batch the signals go in one statement just before it commits.
   */
  async signal(em: EntityManager, correlationId: string): Promise<void> {
    const batch = batchOf(em);
    if (!batch) {
      await em.query('SELECT pg_notify($1, $2)', [COMMAND_PROGRESS_CHANNEL, correlationId]);
      return;
    }
    const pending = batch.local(PENDING_SIGNALS, () => new Set<string>());
    pending.add(correlationId);
    batch.once(PENDING_SIGNALS, async (batchEm) => {
      const ids = [...pending];
      pending.clear();
      await batchEm.query('SELECT pg_notify($1, id) FROM unnest($2::text[]) AS id', [COMMAND_PROGRESS_CHANNEL, ids]);
    });
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
