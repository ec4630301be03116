import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Envelope } from '@omni/contracts';
import { TransactionRunner } from '@omni/persistence';
import { PROJECTION_TABLES } from '../read-model/read-model';
import { ProjectionStore } from '../read-model/projection-store';

export type EntityType = 'user' | 'device' | 'recipient';

/**
 * How every projector applies an event: in one transaction, gated on the entity's version (a
 * duplicate or stale event changes nothing), then the command's progress is signalled to the
 * gateways at commit.
 */
@Injectable()
export class Projection {
  constructor(
    private readonly tx: TransactionRunner,
    private readonly store: ProjectionStore,
  ) {}

  async apply(entityType: EntityType, event: Envelope, change: (em: EntityManager) => Promise<void>): Promise<void> {
    await this.tx.run(async (em) => {
      if (!(await this.store.advance(em, entityType, event))) return;
      await change(em);
      await this.store.signal(em, event.correlationId);
    });
  }

  /**
   * A user exists in the read model from the first time a channel is attached to its userID.
   * The name is only filled in where the user has none yet: the profile-service owns names.
   */
  async ensureUser(em: EntityManager, application: string, userId: string, userName: string | null, time: string): Promise<void> {
    await em.query(
      `INSERT INTO ${PROJECTION_TABLES.users} AS u (application, user_id, user_name, status, created_at, updated_at)
       VALUES ($1, $2, $3, 'active', $4, $4)
       ON CONFLICT (application, user_id) DO UPDATE
         SET user_name = COALESCE(u.user_name, EXCLUDED.user_name), status = 'active', updated_at = EXCLUDED.updated_at`,
      [application, userId, userName, time],
    );
  }
}
