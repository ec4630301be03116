import { PROFILE_SNAPSHOT } from '@omni/contracts';
import { OutboxRelay, OutboxRow, OutgoingRecord } from '@omni/messaging';

/**
 * The projection's outbox relay: the shared OutboxRelay (hand-off and fallback poll, one publisher per schema,
 * tombstones for null rows, cleanup, flush on stop). A snapshot row is published as the snapshot
 * itself, with its version in a header; every other row as the shared relay does.
 */
export class SnapshotRelay extends OutboxRelay {
  protected override toRecord(row: OutboxRow): OutgoingRecord {
    if (row.message_type !== PROFILE_SNAPSHOT || row.envelope === null) return super.toRecord(row);
    const snapshot = row.envelope;
    return {
      topic: row.topic,
      key: row.message_key,
      value: row.value ?? JSON.stringify(snapshot),
      headers: { 'message-type': PROFILE_SNAPSHOT, application: String(snapshot.application), 'snapshot-version': String(snapshot.version) },
    };
  }
}
