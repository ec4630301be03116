import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { Logger } from '@omni/observability';
import { quoteIdentifier } from '@omni/persistence';
import { MessagePublisher, OutgoingRecord } from '../kafka/message-publisher';

export interface OutboxRelayOptions {
  schema: string;
  /** How often to look for unpublished rows when nobody woke the relay. */
  pollIntervalMs?: number;
  batchSize?: number;
  /** Published rows are kept this long (for inspection), then deleted. */
  retainPublishedMs?: number;
}

/** One row of an outbox table as the relay reads it. `envelope` is JSON null for a tombstone. */
export interface OutboxRow {
  id: string;
  topic: string;
  message_key: string;
  message_type: string;
  envelope: Record<string, unknown> | null;
}

/**
 * Publishes outbox rows to Kafka, oldest first, and marks them published.
 *
 * One relay per schema publishes at a time (a transaction-scoped advisory lock), so that with
 * several instances of a service the order per aggregate still holds. Delivery is at least
 * once: a crash after publishing and before marking republishes the rows, and consumers
 * deduplicate by message id.
 */
export class OutboxRelay {
  private readonly table: string;
  private readonly lockKey: string;
  private readonly pollIntervalMs: number;
  private readonly batchSize: number;
  private readonly retainPublishedMs: number;
  private running = false;
  private loop?: Promise<void>;
  private wakeUp?: () => void;
  private pendingWake = false;
  private lastCleanup = 0;

  constructor(
    private readonly dataSource: DataSource,
    private readonly publisher: MessagePublisher,
    private readonly logger: Logger,
    options: OutboxRelayOptions,
  ) {
    this.table = `${quoteIdentifier(options.schema)}.outbox`;
    // Advisory locks take a bigint: derive a stable one from the schema name.
    this.lockKey = BigInt.asIntN(64, BigInt(`0x${createHash('sha256').update(`outbox:${options.schema}`).digest('hex').slice(0, 16)}`)).toString();
    this.pollIntervalMs = options.pollIntervalMs ?? 200;
    this.batchSize = options.batchSize ?? 500;
    this.retainPublishedMs = options.retainPublishedMs ?? 10 * 60_000;
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

  /** Publish one batch. Returns the number of rows published (0 if none, or another relay holds the lock). */
  async publishBatch(): Promise<number> {
    return this.dataSource.transaction(async (em) => {
      const [{ locked }] = await em.query('SELECT pg_try_advisory_xact_lock($1::bigint) AS locked', [this.lockKey]);
      if (!locked) return 0;
      const rows: OutboxRow[] = await em.query(
        `SELECT id, topic, message_key, message_type, envelope FROM ${this.table}
          WHERE published_at IS NULL ORDER BY id LIMIT $1`,
        [this.batchSize],
      );
      if (rows.length === 0) return 0;
      await this.publisher.publish(rows.map((row) => this.toRecord(row)));
      await em.query(`UPDATE ${this.table} SET published_at = now() WHERE id = ANY($1::bigint[])`, [
        rows.map((row) => row.id),
      ]);
      // A published tombstone has done its work; its key (which names whom it erased) goes at once.
      const tombstones = rows.filter((row) => row.envelope === null).map((row) => row.id);
      if (tombstones.length > 0) await em.query(`DELETE FROM ${this.table} WHERE id = ANY($1::bigint[])`, [tombstones]);
      return rows.length;
    });
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
      value: JSON.stringify(row.envelope),
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
      try {
        const published = await this.publishBatch();
        failures = 0;
        await this.cleanup();
        if (published === this.batchSize) continue; // more waiting: no pause
      } catch (error) {
        failures += 1;
        this.logger.error({ err: error, failures }, 'outbox relay failed to publish; retrying');
      }
      const pause = failures > 0 ? Math.min(5_000, this.pollIntervalMs * 2 ** failures) : this.pollIntervalMs;
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
