import { EntityManager } from 'typeorm';
import { Envelope, messageKey } from '@omni/contracts';
import { SharedTransaction, batchOf, queryRows, quoteIdentifier, statementChunks, valuesList } from '@omni/persistence';
import type { OutboxRow } from './outbox-relay';

/** Told the rows a batch wrote once it has committed (the relay, to publish them without reading them back). */
export type OutboxHandOff = (rows: OutboxRow[]) => void;

/**
 * Writes messages to the service's outbox table inside the caller's transaction.
 * Nothing is published here: the relay does that after commit.
 *
 * In a consumer's batch (TransactionRunner.batch) the rows are written together just before the
 * batch commits, in the order they were added: one statement for the whole batch; once it has
 * committed, they are handed to the relay.
 */
export class Outbox {
  private readonly table: string;
  private readonly pending = Symbol('pending outbox rows');

  constructor(
    schema: string,
    private readonly handOff?: OutboxHandOff,
  ) {
    this.table = `${quoteIdentifier(schema)}.outbox`;
  }

  async add(em: EntityManager, topic: string, ...envelopes: Envelope[]): Promise<void> {
    if (envelopes.length === 0) return;
    const rows = envelopes.map((envelope) => ({ topic, envelope }));
    const batch = batchOf(em);
    if (!batch) return void (await this.insert(em, rows));
    const pending = batch.local(this.pending, () => [] as OutboxEntry[]);
    pending.push(...rows);
    batch.once(this.pending, (batchEm) => this.insertAndHandOff(batch, batchEm, pending.splice(0)));
  }

  private async insertAndHandOff(batch: SharedTransaction, em: EntityManager, entries: OutboxEntry[]): Promise<void> {
    const rows = await this.insert(em, entries);
    if (this.handOff) batch.onCommit(() => this.handOff!(rows));
  }

  private async insert(em: EntityManager, entries: OutboxEntry[]): Promise<OutboxRow[]> {
    const written: OutboxRow[] = [];
    for (const entriesOfStatement of statementChunks(entries, OUTBOX_COLUMN_TYPES.length)) {
      const chunk = entriesOfStatement.map(({ topic, envelope }) => ({
        id: '',
        topic,
        message_key: messageKey(envelope.application, envelope.aggregateId),
        message_type: envelope.type,
        envelope: envelope as unknown as Record<string, unknown>,
        value: JSON.stringify(envelope),
      }));
      const { sql, values } = valuesList(
        chunk.map((row) => [row.envelope!.id, row.topic, row.message_key, row.message_type, row.value]),
        OUTBOX_COLUMN_TYPES,
      );
      const ids = await queryRows<{ id: string; message_id: string }>(
        em,
        // eslint-disable-next-line omni/sql-parameters -- a VALUES list of placeholders
        `INSERT INTO ${this.table} (message_id, topic, message_key, message_type, envelope) VALUES ${sql}
         RETURNING id::text, message_id::text`,
        values,
      );
      const idOf = new Map(ids.map((row) => [row.message_id, row.id]));
      for (const row of chunk) {
        const id = idOf.get(String(row.envelope!.id).toLowerCase());
        if (id) written.push({ ...row, id });
      }
    }
    return written;
  }
}

interface OutboxEntry {
  topic: string;
  envelope: Envelope;
}

/** The types of an outbox row's columns: message_id, topic, message_key, message_type, envelope. */
export const OUTBOX_COLUMN_TYPES = ['uuid', 'text', 'text', 'text', 'jsonb'];
