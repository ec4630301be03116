import { Inject, Injectable, Optional } from '@nestjs/common';
import { Histogram } from 'prom-client';
import { MetricsRegistry } from '@omni/observability';
import { EntityManager } from 'typeorm';
import { Envelope } from '@omni/contracts';
import { SubjectKeys } from '@omni/personal-data';
import { TransactionRunner, queryRows } from '@omni/persistence';
import { ReadModelTables } from '../read-model/read-model';
import { ReadModel } from '../read-model/read-model.provider';
import { ProjectionStore } from '../read-model/projection-store';
import { ProfileSnapshots } from '../snapshots/profile-snapshots';

export type EntityType = 'user' | 'device' | 'recipient';

/** Told after a commit that wrote snapshots (the relay, to publish them at once). */
export const SNAPSHOTS_WRITTEN = Symbol('SNAPSHOTS_WRITTEN');
export type SnapshotsWritten = () => void;

/**
 * How every projector applies an event: in one transaction, gated on the entity's version (a
 * duplicate or stale event changes nothing), then the command's progress is signalled to the
 * gateways at commit, and the profiles of the users the change touched (a channel's owner before
 * and after the change) are published as snapshots in the same transaction.
 *
 * Without ProfileSnapshots (a replay's rebuild) nothing is published.
 */
@Injectable()
export class Projection {
  readonly tables: ReadModelTables;

  constructor(
    private readonly tx: TransactionRunner,
    private readonly store: ProjectionStore,
    model: ReadModel,
    @Optional() private readonly snapshots?: ProfileSnapshots,
    @Optional() @Inject(SNAPSHOTS_WRITTEN) private readonly written?: SnapshotsWritten,
    @Optional() metrics?: MetricsRegistry,
  ) {
    this.tables = model.tables;
    // Time from an event's creation (its service's commit) to its effect being visible here.
    this.visibleAfter = metrics?.histogram(
      'projection_event_visible_seconds',
      'Seconds from an event being recorded by its service to its effect being visible in the read model',
      ['entity'],
    );
  }

  private readonly visibleAfter?: Histogram<'entity'>;
  private readonly keys = new SubjectKeys();

  async apply(entityType: EntityType, event: Envelope, change: (em: EntityManager) => Promise<void>): Promise<void> {
    await this.tx.run(async (em) => {
      if (!(await this.store.advance(em, entityType, event))) return;
      const before = this.snapshots ? await this.usersOf(em, entityType, event) : [];
      await change(em);
      await this.store.signal(em, event.correlationId);
      if (!this.snapshots) return;
      const after = await this.usersOf(em, entityType, event);
      await this.publish(em, event.application, [...before, ...after]);
    });
    this.visibleAfter?.observe({ entity: entityType }, Math.max(0, Date.now() - Date.parse(event.time)) / 1000);
  }

  /**
   * Snapshots of the users a change touched. In a consumer's batch they are written once, just
   * before it commits: one snapshot per user with every change of the batch, however many of its
   * events touched them (the topic is compacted: subscribers want the latest profile, not each step).
   */
  private async publish(em: EntityManager, application: string, userIds: string[]): Promise<void> {
    if (userIds.length === 0) return;
    const batch = this.tx.shared();
    if (!batch) {
      if ((await this.snapshots!.publish(em, application, userIds)) > 0) this.tx.afterCommit(() => this.written?.());
      return;
    }
    const pending = batch.local(PENDING_SNAPSHOTS, () => new Map<string, Set<string>>());
    for (const userId of userIds) {
      const users = pending.get(application) ?? new Set<string>();
      pending.set(application, users.add(userId));
    }
    batch.once(PENDING_SNAPSHOTS, async (batchEm) => {
      let published = 0;
      // Applications in a fixed order, users sorted by publish(): the version rows are locked in one order.
      for (const application of [...pending.keys()].sort()) {
        published += await this.snapshots!.publish(batchEm, application, [...pending.get(application)!]);
      }
      if (published > 0) batch.onCommit(() => this.written?.());
    });
  }

  /**
   * Erase a user (on `user.erased`): the user's row, their contacts, the personal data their
   * devices held, their outcomes and versions; a snapshot tombstone; and the user's key, which is
   * what makes the erasure hold in a replay — every event sealed with it opens to nothing from now on.
   * Not version-gated: the user's version row is among what goes, and a duplicate cannot arrive,
   * since it could no longer be opened.
   */
  async erase(event: Envelope): Promise<void> {
    const { application, aggregateId: userId } = event;
    const t = this.tables;
    await this.tx.run(async (em) => {
      const user = [application, userId];
      // Snapshots first: it takes the lock every publication of this user takes (see ProfileSnapshots.erase).
      await this.snapshots?.erase(em, application, userId);
      await em.query(`DELETE FROM ${t.users} WHERE application = $1 AND user_id = $2`, user);
      await em.query(`DELETE FROM ${t.recipients} WHERE application = $1 AND user_id = $2`, user);
      await em.query(
        `UPDATE ${t.devices} SET user_id = NULL, user_name = NULL, user_data = '{}'::jsonb,
                properties = properties - 'location' - 'locationAccuracy' - 'altitude', updated_at = $3
          WHERE application = $1 AND user_id = $2`,
        [...user, event.time],
      );
      await em.query(`DELETE FROM ${t.entityVersions} WHERE application = $1 AND entity_type = 'user' AND entity_id = $2`, user);
      await em.query(`DELETE FROM ${t.commandOutcomes} WHERE application = $1 AND aggregate_type = 'user' AND aggregate_id = $2`, user);
      await em.query(`DELETE FROM ${t.profileVersions} WHERE application = $1 AND user_id = $2`, user);
      // Only the live projection shreds: a replay's rebuild folding an erasure still in progress must
      // leave the key to the live one, which could otherwise no longer open its own `user.erased`.
      const key = this.snapshots ? await this.keys.find(em, application, userId) : undefined;
      if (key) await this.keys.delete(em, key.keyId);
      await this.store.signal(em, event.correlationId);
      // A snapshot of the user that the batch was about to write would come after the tombstone.
      this.tx.shared()?.local(PENDING_SNAPSHOTS, () => new Map<string, Set<string>>()).get(application)?.delete(userId);
    });
    if (this.snapshots) this.tx.afterCommit(() => this.written?.());
  }

  /**
   * A user exists in the read model from the first time a channel is attached to its userID. The
   * channel's name is the user's name only while the profile-service gave none; among channels, the
   * latest name (by event time) wins, so the result does not depend on the order of arrival.
   */
  async ensureUser(em: EntityManager, application: string, userId: string, userName: string | null, time: string): Promise<void> {
    await em.query(
      `INSERT INTO ${this.tables.users} AS u
         (application, user_id, channel_user_name, channel_user_name_at, status, created_at, updated_at)
       VALUES ($1, $2, $3::text, CASE WHEN $3::text IS NULL THEN NULL ELSE $4::timestamptz END, 'active', $4, $4)
       ON CONFLICT (application, user_id) DO UPDATE SET
         channel_user_name = CASE WHEN ${NEWER_CHANNEL_NAME} THEN EXCLUDED.channel_user_name ELSE u.channel_user_name END,
         channel_user_name_at = CASE WHEN ${NEWER_CHANNEL_NAME} THEN EXCLUDED.channel_user_name_at ELSE u.channel_user_name_at END,
         status = 'active',
         created_at = LEAST(u.created_at, EXCLUDED.created_at),
         updated_at = GREATEST(u.updated_at, EXCLUDED.updated_at)`,
      [application, userId, userName, time],
    );
  }

  /** The user a channel belongs to (none for an anonymous or missing channel); a user event's own user. */
  private async usersOf(em: EntityManager, entityType: EntityType, event: Envelope): Promise<string[]> {
    switch (entityType) {
      case 'user':
        return [event.aggregateId];
      case 'device':
        return this.ownerOf(em, 'devices', 'device_id', event);
      case 'recipient':
        return this.ownerOf(em, 'recipients', 'recipient_id', event);
    }
  }

  private async ownerOf(em: EntityManager, table: 'devices' | 'recipients', idColumn: 'device_id' | 'recipient_id', event: Envelope): Promise<string[]> {
    const rows = await queryRows<{ user_id: string }>(
      em,
      `SELECT user_id FROM ${this.tables[table]} WHERE application = $1 AND ${idColumn} = $2 AND user_id IS NOT NULL`,
      [event.application, event.aggregateId],
    );
    return rows.map((row) => row.user_id);
  }
}

/** The users whose snapshots a batch writes before it commits, by application. */
const PENDING_SNAPSHOTS = Symbol('pending profile snapshots');

const NEWER_CHANNEL_NAME = `EXCLUDED.channel_user_name IS NOT NULL AND (u.channel_user_name IS NULL
  OR (EXCLUDED.channel_user_name_at, EXCLUDED.channel_user_name) > (u.channel_user_name_at, u.channel_user_name))`;
