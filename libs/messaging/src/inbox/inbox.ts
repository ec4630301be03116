import { EntityManager } from 'typeorm';
import { batchOf, queryRows, quoteIdentifier } from '@omni/persistence';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids a consumer's batch claimed up front (claimAll), and which of them were new. */
interface ClaimedUpFront {
  asked: Set<string>;
  claimed: Set<string>;
}

/**
 * Idempotent consumption: a consumer claims a message id in the transaction that applies it.
 * A second claim of the same id (a redelivery) returns false and the handler skips the work.
 *
 * In a consumer's batch (TransactionRunner.batch) the ids of all its messages are claimed with one
 * statement first (claimAll); each handler's claim then only takes its id from that answer, once.
 */
export class Inbox {
  private readonly table: string;
  private readonly upFront = Symbol('inbox claims of the batch');

  constructor(schema: string) {
    this.table = `${quoteIdentifier(schema)}.inbox`;
  }

  async claim(em: EntityManager, consumer: string, messageId: string): Promise<boolean> {
    const claims = batchOf(em)?.local(this.upFront, () => new Map<string, ClaimedUpFront>()).get(consumer);
    const id = messageId.toLowerCase();
    if (claims?.asked.has(id)) return claims.claimed.delete(id);
    const rows: unknown[] = await em.query(
      `INSERT INTO ${this.table} (consumer, message_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING 1`,
      [consumer, messageId],
    );
    return rows.length === 1;
  }

  /** Claim the ids of a batch's messages in one statement, for the claims its handlers make next. */
  async claimAll(em: EntityManager, consumer: string, messageIds: string[]): Promise<void> {
    const batch = batchOf(em);
    // A header that is no message id (the message will fail to decode) must not fail the statement.
    const ids = messageIds.filter((id) => UUID.test(id)).map((id) => id.toLowerCase());
    if (!batch || ids.length === 0) return;
    const claimed = await queryRows<{ message_id: string }>(
      em,
      `INSERT INTO ${this.table} (consumer, message_id) SELECT $1, id FROM unnest($2::uuid[]) AS id
       ON CONFLICT DO NOTHING RETURNING message_id::text`,
      [consumer, ids],
    );
    const claims = batch.local(this.upFront, () => new Map<string, ClaimedUpFront>());
    const previous = claims.get(consumer);
    claims.set(consumer, {
      asked: new Set([...(previous?.asked ?? []), ...ids]),
      claimed: new Set([...(previous?.claimed ?? []), ...claimed.map((row) => row.message_id)]),
    });
  }
}
