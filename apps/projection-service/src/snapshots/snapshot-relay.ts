import { DataSource } from 'typeorm';
import { PROFILE_SNAPSHOT, PROFILE_SNAPSHOT_ERASED } from '@omni/contracts';
import { MessagePublisher, OutboxRelay, OutboxRelayOptions, OutgoingRecord } from '@omni/messaging';
import type { Logger } from '@omni/observability';
import { quoteIdentifier } from '@omni/persistence';

interface OutboxRow {
  id: string;
  topic: string;
  message_key: string;
  message_type: string;
  envelope: Record<string, unknown> | null;
}

/**
 * The projection's outbox relay: the shared OutboxRelay (polling loop, one publisher per schema via
 * an advisory lock, cleanup, flush on stop), publishing rows as they are. An Envelope row is
 * published as the shared relay does; a snapshot row is published as the snapshot, and a row
 * holding JSON null as a tombstone (a null Kafka value), which the shared relay cannot send.
 */
export class SnapshotRelay extends OutboxRelay {
  private readonly outboxTable: string;
  private readonly publishLock: string;
  private readonly rowsPerBatch: number;

  constructor(
    private readonly source: DataSource,
    private readonly producer: MessagePublisher,
    logger: Logger,
    options: OutboxRelayOptions,
  ) {
    super(source, producer, logger, options);
    this.outboxTable = `${quoteIdentifier(options.schema)}.outbox`;
    this.publishLock = `snapshot-relay:${options.schema}`;
    this.rowsPerBatch = options.batchSize ?? 500;
  }

  override async publishBatch(): Promise<number> {
    return this.source.transaction(async (em) => {
      const [{ locked }] = await em.query('SELECT pg_try_advisory_xact_lock(hashtextextended($1, 0)) AS locked', [this.publishLock]);
      if (!locked) return 0;
      const rows: OutboxRow[] = await em.query(
        `SELECT id, topic, message_key, message_type, envelope FROM ${this.outboxTable}
          WHERE published_at IS NULL ORDER BY id LIMIT $1`,
        [this.rowsPerBatch],
      );
      if (rows.length === 0) return 0;
      await this.producer.publish(rows.map(toRecord));
      await em.query(`UPDATE ${this.outboxTable} SET published_at = now() WHERE id = ANY($1::bigint[])`, [rows.map((row) => row.id)]);
      return rows.length;
    });
  }
}

function toRecord(row: OutboxRow): OutgoingRecord {
  const base = { topic: row.topic, key: row.message_key };
  const envelope = row.envelope;
  if (row.message_type === PROFILE_SNAPSHOT_ERASED || envelope === null) {
    return { ...base, value: null, headers: { 'message-type': PROFILE_SNAPSHOT_ERASED, application: row.message_key.split(':')[0] } };
  }
  if (row.message_type === PROFILE_SNAPSHOT) {
    return {
      ...base,
      value: JSON.stringify(envelope),
      headers: { 'message-type': PROFILE_SNAPSHOT, application: String(envelope.application), 'snapshot-version': String(envelope.version) },
    };
  }
  return {
    ...base,
    value: JSON.stringify(envelope),
    headers: {
      'message-type': row.message_type,
      'message-id': String(envelope.id),
      'correlation-id': String(envelope.correlationId),
      application: String(envelope.application),
    },
  };
}
