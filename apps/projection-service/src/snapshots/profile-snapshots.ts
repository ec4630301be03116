import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { queryRows } from '@omni/persistence';
import { ReadModel } from '../read-model/read-model.provider';
import { ProfileSnapshotComposer } from './profile-snapshot.composer';
import { SnapshotOutbox } from './snapshot-outbox';

/**
 * Publishing profile snapshots, in the transaction of the change: compose the users' profiles from
 * the read model, give each the user's next version, write them to the outbox.
 */
@Injectable()
export class ProfileSnapshots {
  constructor(
    private readonly model: ReadModel,
    private readonly composer: ProfileSnapshotComposer,
    private readonly outbox: SnapshotOutbox,
  ) {}

  /** Snapshots of these users (those that exist). Returns how many were written. */
  async publish(em: EntityManager, application: string, userIds: string[]): Promise<number> {
    const users = [...new Set(userIds)].sort();
    if (users.length === 0) return 0;
    // Take the users' version rows first (in a fixed order: no deadlock between two folds), then
    // compose: a concurrent fold of another partition touching the same user has committed by then,
    // and READ COMMITTED shows its change to the composing statement. Composing first could publish
    // a profile without that change after the one with it.
    const versions = await this.nextVersions(em, application, users);
    const profiles = await this.composer.compose(em, application, users);
    // A user that composes to nothing was erased meanwhile (this fold waited for the erasure's
    // lock): its version row would be the only trace of it left.
    const gone = users.filter((userId) => !profiles.some((profile) => profile.userID === userId));
    if (gone.length > 0) {
      await em.query(`DELETE FROM ${this.model.tables.profileVersions} WHERE application = $1 AND user_id = ANY($2::text[])`, [application, gone]);
    }
    if (profiles.length === 0) return 0;
    await this.outbox.add(
      em,
      profiles.map((profile) => ({ ...profile, version: versions.get(profile.userID) ?? 0 })),
    );
    return profiles.length;
  }

  /**
   * Erasure: every snapshot of the user still waiting in the outbox goes, and a tombstone takes
   * their place, so that compaction forgets every snapshot of them. The version row goes too (it
   * names the user): a user created again later starts over at version 1, after the tombstone.
   */
  async erase(em: EntityManager, application: string, userId: string): Promise<void> {
    // First take the user's version row, as every publication does: a fold of another partition
    // publishing this user has then committed (its snapshot is removed next) or waits for this
    // erasure and finds nobody to publish.
    await this.nextVersions(em, application, [userId]);
    await this.outbox.removeUser(em, application, userId);
    await this.outbox.addTombstone(em, application, userId);
    await em.query(`DELETE FROM ${this.model.tables.profileVersions} WHERE application = $1 AND user_id = $2`, [application, userId]);
  }

  private async nextVersions(em: EntityManager, application: string, userIds: string[]): Promise<Map<string, number>> {
    const rows = await queryRows<{ user_id: string; version: string }>(
      em,
      `INSERT INTO ${this.model.tables.profileVersions} AS p (application, user_id, version)
       SELECT $1, user_id, 1 FROM unnest($2::text[]) AS user_id
       ON CONFLICT (application, user_id) DO UPDATE SET version = p.version + 1
       RETURNING user_id, version`,
      [application, userIds],
    );
    return new Map(rows.map((row) => [row.user_id, Number(row.version)]));
  }
}
