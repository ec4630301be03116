import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { PROFILE_SNAPSHOT, PROFILE_SNAPSHOT_ERASED, ProfileSnapshot, Topics, profileSnapshotKey } from '@omni/contracts';
import { ReadModel } from '../read-model/read-model.provider';

/**
 * Writes profile snapshots to the projection's outbox table, in the caller's transaction (the one
 * that changed the read model). Snapshots are state, not Envelopes: the row's `envelope` column
 * holds the snapshot itself, or JSON null for a tombstone; SnapshotRelay publishes both.
 */
@Injectable()
export class SnapshotOutbox {
  constructor(private readonly model: ReadModel) {}

  async add(em: EntityManager, snapshots: ProfileSnapshot[]): Promise<void> {
    if (snapshots.length === 0) return;
    const values: unknown[] = [];
    const rows = snapshots.map((snapshot, index) => {
      values.push(randomUUID(), profileSnapshotKey(snapshot.application, snapshot.userID), JSON.stringify(snapshot));
      return `($${index * 3 + 1}, '${Topics.profileSnapshots}', $${index * 3 + 2}, '${PROFILE_SNAPSHOT}', $${index * 3 + 3}::jsonb)`;
    });
    await em.query(
      // eslint-disable-next-line omni/sql-parameters -- placeholders only: ($1, '<constant topic>', $2, '<constant type>', $3::jsonb), …
      `INSERT INTO ${this.model.tables.outbox} (message_id, topic, message_key, message_type, envelope) VALUES ${rows.join(', ')}`,
      values,
    );
  }

  /** Every row of the user's, published or not (erasure: a tombstone follows). */
  async removeUser(em: EntityManager, application: string, userId: string): Promise<void> {
    await em.query(`DELETE FROM ${this.model.tables.outbox} WHERE topic = $1 AND message_key = $2`, [
      Topics.profileSnapshots,
      profileSnapshotKey(application, userId),
    ]);
  }

  /** A tombstone: compaction then forgets every snapshot of the user. */
  async addTombstone(em: EntityManager, application: string, userId: string): Promise<void> {
    await em.query(
      `INSERT INTO ${this.model.tables.outbox} (message_id, topic, message_key, message_type, envelope)
       VALUES ($1, $2, $3, $4, 'null'::jsonb)`,
      [randomUUID(), Topics.profileSnapshots, profileSnapshotKey(application, userId), PROFILE_SNAPSHOT_ERASED],
    );
  }
}
