import { EntityManager } from 'typeorm';
import { quoteIdentifier } from '@omni/persistence';

/**
 * Idempotent consumption: a consumer claims a message id in the transaction that applies it.
 * A second claim of the same id (a redelivery) returns false and the handler skips the work.
 */
export class Inbox {
  private readonly table: string;

  constructor(schema: string) {
    this.table = `${quoteIdentifier(schema)}.inbox`;
  }

  async claim(em: EntityManager, consumer: string, messageId: string): Promise<boolean> {
    const rows: unknown[] = await em.query(
      `INSERT INTO ${this.table} (consumer, message_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING 1`,
      [consumer, messageId],
    );
    return rows.length === 1;
  }
}
