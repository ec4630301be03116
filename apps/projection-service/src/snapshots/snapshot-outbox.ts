import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Optional } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { PROFILE_SNAPSHOT, PROFILE_SNAPSHOT_ERASED, ProfileSnapshot, Topics, profileSnapshotKey } from '@omni/contracts';
import { OUTBOX_COLUMN_TYPES, type OutboxHandOff, type OutboxRow } from '@omni/messaging';
import { batchOf, queryRows, valuesList } from '@omni/persistence';
import { ReadModel } from '../read-model/read-model.provider';

/** Optional: where snapshot rows go once their batch has committed (the relay, to publish them without reading them back). */
export const SNAPSHOT_HAND_OFF = Symbol('SNAPSHOT_HAND_OFF');

/**
 * Writes profile snapshots to the projection's outbox table, in the caller's transaction (the one
 * that changed the read model). Snapshots are state, not Envelopes: the row's `envelope` column
 * holds the snapshot itself, or JSON null for a tombstone; SnapshotRelay publishes both.
 */
@Injectable()
export class SnapshotOutbox {
  constructor(
    private readonly model: ReadModel,
    @Optional() @Inject(SNAPSHOT_HAND_OFF) private readonly handOff?: OutboxHandOff,
  ) {}

  async add(em: EntityManager, snapshots: ProfileSnapshot[]): Promise<void> {
    if (snapshots.length === 0) return;
    const written = snapshots.map((snapshot) => ({
      row: { messageId: randomUUID(), key: profileSnapshotKey(snapshot.application, snapshot.userID), snapshot, value: JSON.stringify(snapshot) },
    }));
    const { sql, values } = valuesList(
      written.map(({ row }) => [row.messageId, Topics.profileSnapshots, row.key, PROFILE_SNAPSHOT, row.value]),
      OUTBOX_COLUMN_TYPES,
    );
    const ids = await queryRows<{ id: string; message_id: string }>(
      em,
      // eslint-disable-next-line omni/sql-parameters -- a VALUES list of placeholders
      `INSERT INTO ${this.model.tables.outbox} (message_id, topic, message_key, message_type, envelope) VALUES ${sql}
       RETURNING id::text, message_id::text`,
      values,
    );
    const batch = batchOf(em);
    if (!this.handOff || !batch) return;
    const idOf = new Map(ids.map((row) => [row.message_id, row.id]));
    const rows: OutboxRow[] = written.map(({ row }) => ({
      id: idOf.get(row.messageId)!,
      topic: Topics.profileSnapshots,
      message_key: row.key,
      message_type: PROFILE_SNAPSHOT,
      envelope: row.snapshot as unknown as Record<string, unknown>,
      value: row.value,
    }));
    batch.onCommit(() => this.handOff!(rows));
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
