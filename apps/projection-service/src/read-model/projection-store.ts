import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { COMMAND_PROGRESS_CHANNEL, Envelope } from '@omni/contracts';
import { ReadModel } from './read-model.provider';

/** The version gate and visibility signal every projector uses. */
@Injectable()
export class ProjectionStore {
  constructor(private readonly model: ReadModel) {}

  /**
   * Record that `event` is applied to its entity, if it is newer than what the read model has.
   * Returns false for a duplicate or stale event: the caller must then change nothing.
   */
  async advance(em: EntityManager, entityType: string, event: Envelope): Promise<boolean> {
    if (event.aggregateVersion === null) throw new Error(`event ${event.type} ${event.id} has no aggregate version`);
    const rows: unknown[] = await em.query(
      `INSERT INTO ${this.model.tables.entityVersions} AS v (application, entity_type, entity_id, version)
       VALUES ($1, $2, $3, $4)
       ON CONFLICT (application, entity_type, entity_id)
       DO UPDATE SET version = EXCLUDED.version, updated_at = now()
       WHERE v.version < EXCLUDED.version
       RETURNING 1`,
      [event.application, entityType, event.aggregateId, event.aggregateVersion],
    );
    return rows.length === 1;
  }

  /** Tell waiting gateways (at commit) that something of this command became visible. */
  async signal(em: EntityManager, correlationId: string): Promise<void> {
    await em.query('SELECT pg_notify($1, $2)', [COMMAND_PROGRESS_CHANNEL, correlationId]);
  }
}
