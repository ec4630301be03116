import { createHash } from 'node:crypto';
import { DataSource, QueryRunner } from 'typeorm';
import type { Logger } from '@omni/observability';
import { queryRows, quoteIdentifier } from '@omni/persistence';
import { COMMAND_TOPICS, deadLetterTopic } from '@omni/contracts';
import { DLQ_HEADERS } from '../dead-letter/dead-letter';
import { MAX_RECORD_BYTES, MessagePublisher, OutgoingRecord, recordBytes } from '../kafka/message-publisher';

export interface OutboxRelayOptions {
  schema: string;
  /** How often to look for unpublished rows when nothing woke the relay (rows another instance left behind). */
  pollIntervalMs?: number;
  batchSize?: number;
  /** Published rows are kept this long (for inspection), then deleted. */
  retainPublishedMs?: number;
  /** Told of every row the relay dead-letters (metrics). */
  onDeadLettered?: (topic: string, reason: string) => void;
}

/** One row of an outbox table as the relay reads it. `envelope` is JSON null for a tombstone. */
export interface OutboxRow {
  id: string;
  topic: string;
  message_key: string;
  message_type: string;
  envelope: Record<string, unknown> | null;
  /** The envelope as it was serialised for the insert, when the row was handed over rather than read. */
  value?: string;
}

/** While another relay publishes, look again this soon: rows committed after its read wait for us. */
const BUSY_RETRY_MS = 25;
/**
 * Rows handed over and not yet published, at most: a few rounds' worth. Beyond, the relay is
 * behind anyway and reads them from the table; holding more only costs memory under backlog.
 */
const MAX_HANDED_ROWS = 2_000;

/**
 * Publishes outbox rows to Kafka, oldest first, and marks them published.
 *
 * One relay per schema publishes at a time (a session advisory lock, held on one connection for a
 * round: no transaction stays open while Kafka answers), so that with several instances of a
 * service the order per aggregate still holds. Delivery is at least once: a crash after
 * publishing and before marking republishes the rows, and consumers deduplicate by message id.
 *
 * The outbox hands the rows a unit committed to the relay (`handOff`), which then publishes them
 * without reading them back: a round reads only the ids of the oldest unpublished rows, and the
 * rows themselves only for ids it was not handed (another instance's, or from before a restart).
 * It runs when woken by a commit; otherwise it only looks every `pollIntervalMs`.
 */
export class OutboxRelay {
  private readonly table: string;
  private readonly lockKey: string;
  private readonly pollIntervalMs: number;
  private readonly batchSize: number;
  private readonly retainPublishedMs: number;
  private readonly handed = new Map<string, OutboxRow>();
  private readonly onDeadLettered?: (topic: string, reason: string) => void;
  private running = false;
  private loop?: Promise<void>;
  private wakeUp?: () => void;
  private pendingWake = false;
  private lastCleanup = 0;
  /** Since when every round has failed (undefined while the relay publishes). */
  private failingSince?: number;
  private lastFailure?: unknown;

  constructor(
    private readonly dataSource: DataSource,
    private readonly publisher: MessagePublisher,
    private readonly logger: Logger,
    options: OutboxRelayOptions,
  ) {
    this.table = `${quoteIdentifier(options.schema)}.outbox`;
    // Advisory locks take a bigint: derive a stable one from the schema name.
    this.lockKey = BigInt.asIntN(64, BigInt(`0x${createHash('sha256').update(`outbox:${options.schema}`).digest('hex').slice(0, 16)}`)).toString();
    this.pollIntervalMs = options.pollIntervalMs ?? 5_000;
    this.batchSize = options.batchSize ?? 500;
    this.retainPublishedMs = options.retainPublishedMs ?? 10 * 60_000;
    this.onDeadLettered = options.onDeadLettered;
  }

  /** How long the relay has been failing to publish (0 while it publishes), and the last error. */
  failing(): { forMs: number; error?: unknown } {
    return this.failingSince === undefined ? { forMs: 0 } : { forMs: Date.now() - this.failingSince, error: this.lastFailure };
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await this.loop;
    // Flush what is committed but unpublished, so a graceful shutdown leaves nothing behind.
    try {
      while ((await this.publishBatch()) > 0);
    } catch (error) {
      this.logger.warn({ err: error }, 'outbox flush on shutdown failed; rows stay for the next start');
    }
  }

  /** Ask the relay to look now (after a commit that wrote outbox rows). */
  wake(): void {
    this.pendingWake = true;
    this.wakeUp?.();
  }

  /** Rows a unit of work has just committed (with their ids): published without reading them back. */
  handOff(rows: OutboxRow[]): void {
    for (const row of rows) if (this.handed.size < MAX_HANDED_ROWS) this.handed.set(row.id, row);
    this.wake();
  }

  /** Publish one batch. Returns the number of rows published (0 if none, or another relay holds the lock). */
  async publishBatch(): Promise<number> {
    return (await this.publishRound()) ?? 0;
  }

  /** Rows published, or undefined when another relay holds the lock. */
  private async publishRound(): Promise<number | undefined> {
    const runner = this.dataSource.createQueryRunner();
    let locked = false;
    try {
      [{ locked }] = await runner.query('SELECT pg_try_advisory_lock($1::bigint) AS locked', [this.lockKey]);
      if (!locked) return undefined;
      const ids = (
        await queryRows<{ id: string }>(runner.manager, `SELECT id FROM ${this.table} WHERE published_at IS NULL ORDER BY id LIMIT $1`, [this.batchSize])
      ).map((row) => row.id);
      // Everything handed over below the oldest unpublished id is published (by us or another instance).
      for (const id of this.handed.keys()) if (ids.length === 0 || BigInt(id) < BigInt(ids[0])) this.handed.delete(id);
      if (ids.length === 0) return 0;
      const rows = await this.rowsOf(runner, ids);
      const records = rows.map((row) => this.recordOrDeadLetter(row));
      await this.publisher.publish(records);
      await runner.query(`UPDATE ${this.table} SET published_at = now() WHERE id = ANY($1::bigint[])`, [ids]);
      // A published tombstone has done its work; its key (which names whom it erased) goes at once. So
      // does a command for another service (ADR 0015): it travels unsealed, personal data included.
      const done = rows.filter((row) => row.envelope === null || COMMAND_TOPICS.has(row.topic)).map((row) => row.id);
      if (done.length > 0) await runner.query(`DELETE FROM ${this.table} WHERE id = ANY($1::bigint[])`, [done]);
      for (const id of ids) this.handed.delete(id);
      for (const [index, record] of records.entries()) if (record.topic !== rows[index].topic) this.onDeadLettered?.(rows[index].topic, 'too-large');
      return ids.length;
    } finally {
      await this.unlock(runner, locked);
    }
  }

  /**
   * The rows of `ids`, in that order: those handed over from memory, the others from the table (a
   * row deleted since its id was read — an erasure removing a user's snapshots — is left out).
   */
  private async rowsOf(runner: QueryRunner, ids: string[]): Promise<OutboxRow[]> {
    const missing = ids.filter((id) => !this.handed.has(id));
    const read = new Map<string, OutboxRow>();
    if (missing.length > 0) {
      const rows = await queryRows<OutboxRow>(
        runner.manager,
        `SELECT id, topic, message_key, message_type, envelope FROM ${this.table} WHERE id = ANY($1::bigint[])`,
        [missing],
      );
      for (const row of rows) read.set(row.id, row);
    }
    return ids.flatMap((id) => this.handed.get(id) ?? read.get(id) ?? []);
  }

  /**
   * Give the lock back with the connection. A connection whose unlock failed may still hold the
   * lock: it is closed rather than returned to the pool, and its session takes the lock with it.
   */
  private async unlock(runner: QueryRunner, locked: boolean): Promise<void> {
    if (!locked) return runner.release();
    try {
      await runner.query('SELECT pg_advisory_unlock($1::bigint)', [this.lockKey]);
      await runner.release();
    } catch (error) {
      // Releasing with an error is how pg's pool is told to close the client (TypeORM keeps the method private).
      await (runner as unknown as { releasePostgresConnection(error: unknown): Promise<void> }).releasePostgresConnection(error);
    }
  }

  /**
   * The row's record, or — when it is larger than Kafka takes — a dead letter in its place that
   * says so (no value: the payload is what did not fit), so that the relay moves on instead of
   * failing the same send for ever and holding back every row after it.
   */
  private recordOrDeadLetter(row: OutboxRow): OutgoingRecord {
    const record = this.toRecord(row);
    const size = recordBytes(record);
    if (size <= MAX_RECORD_BYTES) return record;
    const detail = `a record of ${size} bytes is over the limit of ${MAX_RECORD_BYTES}; the row stays in ${this.table} (id ${row.id}) until the cleanup of published rows`;
    this.logger.error({ topic: row.topic, messageType: row.message_type, outboxId: row.id, bytes: size }, `outbox row dead-lettered: ${detail}`);
    return {
      topic: deadLetterTopic(row.topic),
      key: row.message_key,
      value: null,
      headers: {
        ...record.headers,
        [DLQ_HEADERS.reason]: 'too-large',
        [DLQ_HEADERS.detail]: detail,
        [DLQ_HEADERS.sourceTopic]: row.topic,
        [DLQ_HEADERS.sourcePartition]: '-1',
        [DLQ_HEADERS.sourceOffset]: '',
        [DLQ_HEADERS.consumer]: 'outbox-relay',
        [DLQ_HEADERS.attempts]: '0',
        [DLQ_HEADERS.time]: new Date().toISOString(),
      },
    };
  }

  /**
   * The Kafka record of a row: an Envelope with its standard headers, or — for a row holding JSON
   * null — a tombstone (null value) under the same key. Subclasses may add headers for rows of
   * their own message types.
   */
  protected toRecord(row: OutboxRow): OutgoingRecord {
    const base = { topic: row.topic, key: row.message_key };
    if (row.envelope === null) {
      return { ...base, value: null, headers: { 'message-type': row.message_type, application: row.message_key.split(':')[0] } };
    }
    return {
      ...base,
      value: row.value ?? JSON.stringify(row.envelope),
      headers: {
        'message-type': row.message_type,
        'message-id': String(row.envelope.id),
        'correlation-id': String(row.envelope.correlationId),
        application: String(row.envelope.application),
      },
    };
  }

  /** Rows written but not yet published (a gauge for metrics and tests). */
  async backlog(): Promise<number> {
    const [{ count }] = await this.dataSource.query(`SELECT count(*)::int AS count FROM ${this.table} WHERE published_at IS NULL`);
    return count;
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (this.running) {
      this.pendingWake = false;
      let pause = this.pollIntervalMs;
      try {
        const published = await this.publishRound();
        failures = 0;
        this.failingSince = undefined;
        this.lastFailure = undefined;
        await this.cleanup();
        if (published === this.batchSize) continue; // more waiting: no pause
        if (published === undefined) pause = BUSY_RETRY_MS;
      } catch (error) {
        failures += 1;
        this.failingSince ??= Date.now();
        this.lastFailure = error;
        this.logger.error({ err: error, failures }, 'outbox relay failed to publish; retrying');
        pause = Math.min(5_000, 200 * 2 ** failures);
      }
      await this.sleep(pause);
    }
  }

  private async cleanup(): Promise<void> {
    const now = Date.now();
    if (now - this.lastCleanup < 60_000) return;
    this.lastCleanup = now;
    await this.dataSource.query(
      `DELETE FROM ${this.table} WHERE published_at IS NOT NULL AND published_at < now() - make_interval(secs => $1)`,
      [this.retainPublishedMs / 1000],
    );
  }

  private sleep(ms: number): Promise<void> {
    if (this.pendingWake || !this.running) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = done;
    }).then(() => {
      this.wakeUp = undefined;
    });
  }
}
