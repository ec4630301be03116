import { Inject, Injectable, Optional } from '@nestjs/common';
import { Histogram } from 'prom-client';
import { MetricsRegistry } from '@omni/observability';
import { EntityManager } from 'typeorm';
import { Envelope } from '@omni/contracts';
import { SubjectKeys } from '@omni/personal-data';
import { TransactionRunner, queryRows, statementChunks, valuesList } from '@omni/persistence';
import { ReadModelTables } from '@omni/read-model';
import { ReadModel } from '../read-model/read-model.provider';
import { ChannelRows } from '../read-model/channel-rows';
import { ProjectionStore } from '../read-model/projection-store';
import { ProfileSnapshots } from '../snapshots/profile-snapshots';
import { openedKeys } from './opened-keys';

export type EntityType = 'user' | 'device' | 'recipient';

/** What an event says of its user's status (see Projection.ensureUser); 'kept': nothing. */
export type UserStatusChange = 'active' | 'inactive' | 'kept';

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

  /**
   * Apply `event` to its entity in the consumer's batch (a batch of its own when it comes alone):
   * gated on the entity's version, `change` then changes the batch's rows (`devices`, `recipients`,
   * ensureUser) or runs its statements.
   */
  async apply(entityType: EntityType, event: Envelope, change: (em: EntityManager) => Promise<void>): Promise<void> {
    if (!this.tx.shared()) return this.tx.batch(() => this.apply(entityType, event, change));
    await this.tx.run(async (em) => {
      if (!(await this.store.advance(em, entityType, event))) return;
      const channel = CHANNEL_TABLES[entityType];
      // The channel's owner before the change: their profile loses what the change takes away.
      const ownerBefore = channel && this.snapshots ? (await this.store[channel].get(em, event.application, event.aggregateId))?.user_id : undefined;
      await change(em);
      // A rebuild (no snapshots) is not what gateways wait on: it neither signals nor publishes.
      if (!this.snapshots) return;
      await this.store.signal(em, event.correlationId);
      this.publish(entityType, event, entityType === 'user' ? [event.aggregateId] : ownerBefore ? [ownerBefore] : []);
    });
    this.visibleAfter?.observe({ entity: entityType }, Math.max(0, Date.now() - Date.parse(event.time)) / 1000);
  }

  /** The batch's devices, to read and change in memory (written before it commits). */
  get devices(): ChannelRows<'devices'> {
    return this.store.devices;
  }

  /** The batch's email contacts and SMS numbers, likewise. */
  get recipients(): ChannelRows<'recipients'> {
    return this.store.recipients;
  }

  /**
   * Snapshots of the users a change touched: the channel's owner before it and after it. They are
   * written once, just before the batch commits: one snapshot per user with every change of the
   * batch, however many of its events touched them (the topic is compacted: subscribers want the
   * latest profile, not each step). The owners after are read then, once per channel: an owner in
   * between is the next event's owner before.
   */
  private publish(entityType: EntityType, event: Envelope, before: string[]): void {
    const { application } = event;
    const batch = this.tx.shared()!;
    const pending = batch.local(PENDING_SNAPSHOTS, () => new PendingSnapshots());
    for (const userId of before) pending.of(application).users.add(userId);
    const channel = CHANNEL_TABLES[entityType];
    if (channel) pending.of(application)[channel].add(event.aggregateId);
    batch.once(PENDING_SNAPSHOTS, async (batchEm) => {
      // The profiles are composed from the rows the batch changed, all of them written first.
      await this.flushUsers(batchEm);
      await this.store.devices.flush(batchEm);
      await this.store.recipients.flush(batchEm);
      let published = 0;
      // Applications in a fixed order, users sorted by publish(): the version rows are locked in one order.
      for (const [application, touched] of pending.drain()) {
        const users = [...touched.users, ...(await this.owners(batchEm, application, touched))];
        published += await this.snapshots!.publish(batchEm, application, users);
      }
      if (published > 0) batch.onCommit(() => this.written?.());
    });
  }

  /** The owners now of the channels a batch touched. */
  private async owners(em: EntityManager, application: string, touched: Touched): Promise<string[]> {
    const owners: string[] = [];
    for (const table of ['devices', 'recipients'] as const) {
      if (touched[table].size === 0) continue;
      const idColumn = table === 'devices' ? 'device_id' : 'recipient_id';
      const rows = await queryRows<{ user_id: string }>(
        em,
        `SELECT DISTINCT user_id FROM ${this.tables[table]} WHERE application = $1 AND ${idColumn} = ANY($2::text[]) AND user_id IS NOT NULL`,
        [application, [...touched[table]]],
      );
      owners.push(...rows.map((row) => row.user_id));
    }
    return owners;
  }

  /**
   * Erase a user (on `user.erased`): the user's row, their contacts, the personal data their
   * devices held, their outcomes and versions; a snapshot tombstone; and the user's key, which is
   * what makes the erasure hold in a replay — every event sealed with it opens to nothing from now on.
   * Not version-gated: the user's version row is among what goes, and a duplicate cannot arrive,
   * since it could no longer be opened.
   */
  async erase(event: Envelope): Promise<void> {
    if (!this.tx.shared()) return this.tx.batch(() => this.erase(event));
    const { application, aggregateId: userId } = event;
    const t = this.tables;
    await this.tx.run(async (em) => {
      // What the batch deferred so far is written first, so that what follows deletes it too.
      await this.tx.shared()!.flush();
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
      // The batch's rows and the user's version are read again: the statements above changed them.
      await this.store.devices.forget(em);
      await this.store.recipients.forget(em);
      this.store.forget(em, application, 'user', userId);
      // Only the live projection shreds: a replay's rebuild folding an erasure still in progress must
      // leave the key to the live one, which could otherwise no longer open its own `user.erased`.
      const key = this.snapshots ? await this.keys.find(em, application, userId) : undefined;
      if (key) {
        await this.keys.delete(em, key.keyId);
        openedKeys(this.tx.shared()!).forgetAll();
      }
      await this.store.signal(em, event.correlationId);
    });
    if (this.snapshots) this.tx.shared()!.onCommit(() => this.written?.());
  }

  /**
   * A user exists in the read model from the first time a channel is attached to its userID. The
   * channel's name is the user's name only while the profile-service gave none; among channels, the
   * latest name (by event time) wins, so the result does not depend on the order of arrival.
   *
   * The status, likewise, is the one of the user's latest status event by event time, whatever
   * order they are folded in (`status_at` is its time): `user.registered` and every channel event
   * that calls this (a channel registering or being assigned to the user: `status` 'active', the
   * default) make the user active, `user.deactivated` makes them inactive; `user.renamed` and
   * `user.user-data-changed` ('kept') leave the status as it is, as the profile-service does. So a
   * channel event reactivates a deactivated user only if it is newer than the deactivation, and a
   * deactivation deactivates only if it is newer than the last (re)activation. At equal times the
   * deactivation wins (a user registered and deactivated by one command has both events at one
   * instant). See docs/adr/0008-profile-snapshots-and-replay.md.
   *
   * A user event also sets what the profile-service owns (`profileUserName`, `userData`: undefined
   * keeps it). The batch writes its users together before it commits, each user's changes in the
   * order of its events, and before its snapshots are composed.
   */
  async ensureUser(em: EntityManager, user: EnsuredUser): Promise<void> {
    const batch = this.tx.shared()!;
    batch.local(PENDING_USERS, () => [] as EnsuredUser[]).push(user);
    batch.once(PENDING_USERS, (batchEm) => this.flushUsers(batchEm));
  }

  /** Write the users the batch's events ensured so far. */
  private async flushUsers(em: EntityManager): Promise<void> {
    const pending = this.tx.shared()?.local(PENDING_USERS, () => [] as EnsuredUser[]);
    if (!pending || pending.length === 0) return;
    // One statement cannot change a row twice: a user's second change of the batch goes in the next round.
    const rounds: EnsuredUser[][] = [];
    const seen = new Map<string, number>();
    for (const user of pending.splice(0)) {
      const key = `${user.application}\u0000${user.userId}`;
      const round = seen.get(key) ?? 0;
      seen.set(key, round + 1);
      (rounds[round] ??= []).push(user);
    }
    for (const round of rounds) await this.upsertUsers(em, round);
  }

  private async upsertUsers(em: EntityManager, users: EnsuredUser[]): Promise<void> {
    for (const chunk of statementChunks(users, 5)) {
      const { sql, values } = valuesList(
        chunk.map(({ application, userId, userName, time, status = 'active' }) => [application, userId, userName ?? null, time, status === 'kept' ? null : status]),
        ['text', 'text', 'text', 'timestamptz', 'text'],
      );
      await em.query(
        // eslint-disable-next-line omni/sql-parameters -- a VALUES list of placeholders
        `INSERT INTO ${this.tables.users} AS u
           (application, user_id, channel_user_name, channel_user_name_at, status, status_at, created_at, updated_at)
         SELECT x.application, x.user_id, x.user_name, CASE WHEN x.user_name IS NULL THEN NULL ELSE x.time END,
                COALESCE(x.status, 'active'), CASE WHEN x.status IS NULL THEN NULL ELSE x.time END, x.time, x.time
           FROM (VALUES ${sql}) AS x(application, user_id, user_name, time, status)
         ON CONFLICT (application, user_id) DO UPDATE SET
           channel_user_name = CASE WHEN ${NEWER_CHANNEL_NAME} THEN EXCLUDED.channel_user_name ELSE u.channel_user_name END,
           channel_user_name_at = CASE WHEN ${NEWER_CHANNEL_NAME} THEN EXCLUDED.channel_user_name_at ELSE u.channel_user_name_at END,
           status = CASE WHEN ${NEWER_STATUS} THEN EXCLUDED.status ELSE u.status END,
           status_at = CASE WHEN ${NEWER_STATUS} THEN EXCLUDED.status_at ELSE u.status_at END,
           created_at = LEAST(u.created_at, EXCLUDED.created_at),
           updated_at = GREATEST(u.updated_at, EXCLUDED.updated_at)`,
        values,
      );
    }
    const profileChanges = users.filter((user) => user.profileUserName !== undefined || user.userData !== undefined);
    for (const chunk of statementChunks(profileChanges, 5)) {
      const { sql, values } = valuesList(
        chunk.map(({ application, userId, profileUserName, userData }) => [
          application,
          userId,
          profileUserName !== undefined,
          profileUserName ?? null,
          userData === undefined ? null : JSON.stringify(userData),
        ]),
        ['text', 'text', 'boolean', 'text', 'jsonb'],
      );
      await em.query(
        // eslint-disable-next-line omni/sql-parameters -- a VALUES list of placeholders
        `UPDATE ${this.tables.users} AS u
            SET profile_user_name = CASE WHEN x.sets_name THEN x.profile_user_name ELSE u.profile_user_name END,
                user_data = COALESCE(x.user_data, u.user_data)
           FROM (VALUES ${sql}) AS x(application, user_id, sets_name, profile_user_name, user_data)
          WHERE u.application = x.application AND u.user_id = x.user_id`,
        values,
      );
    }
  }
}

/** The channel table of an entity type (a user is no channel). */
const CHANNEL_TABLES: Record<EntityType, 'devices' | 'recipients' | undefined> = { user: undefined, device: 'devices', recipient: 'recipients' };

/** What a batch touched in one application: users, and channels whose owners it reads at the end. */
interface Touched {
  users: Set<string>;
  devices: Set<string>;
  recipients: Set<string>;
}

/** The snapshots a batch writes before it commits. */
class PendingSnapshots {
  private readonly applications = new Map<string, Touched>();

  of(application: string): Touched {
    let touched = this.applications.get(application);
    if (!touched) {
      touched = { users: new Set(), devices: new Set(), recipients: new Set() };
      this.applications.set(application, touched);
    }
    return touched;
  }

  /** Everything touched so far, in application order; what is touched afterwards starts afresh. */
  drain(): [string, Touched][] {
    const touched = [...this.applications].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    this.applications.clear();
    return touched;
  }
}

const PENDING_SNAPSHOTS = Symbol('pending profile snapshots');
const PENDING_USERS = Symbol('users ensured by the events of a batch');

/** A user an event ensures (see Projection.ensureUser). */
export interface EnsuredUser {
  application: string;
  userId: string;
  time: string;
  /** The channel's name for the user (a channel event's). */
  userName?: string | null;
  status?: UserStatusChange;
  /** The profile-service's name (user.registered, user.renamed); undefined keeps it. */
  profileUserName?: string | null;
  /** The profile-service's user data (user.user-data-changed); undefined keeps it. */
  userData?: Record<string, unknown>;
}

const NEWER_CHANNEL_NAME = `EXCLUDED.channel_user_name IS NOT NULL AND (u.channel_user_name IS NULL
  OR (EXCLUDED.channel_user_name_at, EXCLUDED.channel_user_name) > (u.channel_user_name_at, u.channel_user_name))`;

/**
 * The event's status is newer than the row's: a later event time, or the same time and a
 * deactivation over an activation. A row without a status event yet (status_at null) takes any.
 */
const NEWER_STATUS = `EXCLUDED.status_at IS NOT NULL AND (u.status_at IS NULL
  OR (EXCLUDED.status_at, EXCLUDED.status = 'inactive') > (u.status_at, u.status = 'inactive'))`;
