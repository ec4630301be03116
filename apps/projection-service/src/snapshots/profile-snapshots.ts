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
    if (profiles.length === 0) return 0;
    await this.outbox.add(
      em,
      profiles.map((profile) => ({ ...profile, version: versions.get(profile.userID) ?? 0 })),
    );
    return profiles.length;
  }

  /**
   * Erasure: a tombstone for the user's key, so that compaction forgets every snapshot of them.
   * The version row stays, so that a user created again later keeps growing versions.
   */
  async erase(em: EntityManager, application: string, userId: string): Promise<void> {
    await this.nextVersions(em, application, [userId]);
    await this.outbox.addTombstone(em, application, userId);
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
