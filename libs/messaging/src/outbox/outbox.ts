import { EntityManager } from 'typeorm';
import { Envelope, messageKey } from '@omni/contracts';
import { batchOf, quoteIdentifier } from '@omni/persistence';

/**
 * Writes messages to the service's outbox table inside the caller's transaction.
 * Nothing is published here: the relay does that after commit.
 *
 * In a consumer's batch (TransactionRunner.batch) the rows are written together just before the
 * batch commits, in the order they were added: one statement for the whole batch.
 */
export class Outbox {
  private readonly table: string;
  private readonly pending = Symbol('pending outbox rows');

  constructor(schema: string) {
    this.table = `${quoteIdentifier(schema)}.outbox`;
  }

  async add(em: EntityManager, topic: string, ...envelopes: Envelope[]): Promise<void> {
    if (envelopes.length === 0) return;
    const rows = envelopes.map((envelope) => ({ topic, envelope }));
    const batch = batchOf(em);
    if (!batch) return this.insert(em, rows);
    const pending = batch.local(this.pending, () => [] as OutboxEntry[]);
    pending.push(...rows);
    batch.once(this.pending, (batchEm) => this.insert(batchEm, pending.splice(0)));
  }

  private async insert(em: EntityManager, rows: OutboxEntry[]): Promise<void> {
    for (let start = 0; start < rows.length; start += MAX_ROWS_PER_STATEMENT) {
      const chunk = rows.slice(start, start + MAX_ROWS_PER_STATEMENT);
      const values: unknown[] = [];
      const placeholders = chunk.map(({ topic, envelope }, index) => {
        const base = index * 5;
        values.push(envelope.id, topic, messageKey(envelope.application, envelope.aggregateId), envelope.type, JSON.stringify(envelope));
        return `($${base + 1}, $${base + 2}, $${base + 3}, $${base + 4}, $${base + 5}::jsonb)`;
      });
      await em.query(
        // eslint-disable-next-line omni/sql-parameters -- placeholders only: ($1, $2, $3, $4, $5::jsonb), …
        `INSERT INTO ${this.table} (message_id, topic, message_key, message_type, envelope) VALUES ${placeholders.join(', ')}`,
        values,
      );
    }
  }
}

interface OutboxEntry {
  topic: string;
  envelope: Envelope;
}

/** 5 parameters a row, well under PostgreSQL's 65,535 parameters a statement. */
const MAX_ROWS_PER_STATEMENT = 1000;
