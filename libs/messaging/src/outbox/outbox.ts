import { EntityManager } from 'typeorm';
import { Envelope, messageKey } from '@omni/contracts';
import { quoteIdentifier } from '@omni/persistence';

/**
 * Writes messages to the service's outbox table inside the caller's transaction.
 * Nothing is published here: the relay does that after commit.
 */
export class Outbox {
  private readonly table: string;

  constructor(schema: string) {
    this.table = `${quoteIdentifier(schema)}.outbox`;
  }

  async add(em: EntityManager, topic: string, ...envelopes: Envelope[]): Promise<void> {
    if (envelopes.length === 0) return;
    const values: unknown[] = [];
    const rows = envelopes.map((envelope, index) => {
      const base = index * 5;
      values.push(
        envelope.id,
        topic,
        messageKey(envelope.application, envelope.aggregateId),
        envelope.type,
        JSON.stringify(envelope),
      );
      return `($${base + 1}, $${base + 2}, $${base + 3}, $${base + 4}, $${base + 5}::jsonb)`;
    });
    await em.query(
      // eslint-disable-next-line omni/sql-parameters -- placeholders only: ($1, $2, $3, $4, $5::jsonb), …
      `INSERT INTO ${this.table} (message_id, topic, message_key, message_type, envelope) VALUES ${rows.join(', ')}`,
      values,
    );
  }
}
