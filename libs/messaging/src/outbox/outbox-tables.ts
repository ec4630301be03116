import { quoteIdentifier } from '@omni/persistence';

/**
 * DDL of the outbox and inbox tables, for a service's migration to call in its own schema.
 *
 * outbox: messages written in the transaction that changed the state, published by the relay in
 *         `id` order (which is commit order per aggregate, since an aggregate's writes serialise).
 * inbox:  (consumer, message id) of every message a consumer has applied; the claim is in the
 *         handler's transaction, so a redelivered message changes nothing twice.
 */
export function outboxInboxDdl(schema: string): string[] {
  const s = quoteIdentifier(schema);
  return [
    `CREATE TABLE ${s}.outbox (
       id bigserial PRIMARY KEY,
       message_id uuid NOT NULL UNIQUE,
       topic text NOT NULL,
       message_key text NOT NULL,
       message_type text NOT NULL,
       envelope jsonb NOT NULL,
       created_at timestamptz NOT NULL DEFAULT now(),
       published_at timestamptz
     )`,
    `CREATE INDEX outbox_unpublished_idx ON ${s}.outbox (id) WHERE published_at IS NULL`,
    `CREATE INDEX outbox_published_at_idx ON ${s}.outbox (published_at) WHERE published_at IS NOT NULL`,
    `CREATE TABLE ${s}.inbox (
       consumer text NOT NULL,
       message_id uuid NOT NULL,
       processed_at timestamptz NOT NULL DEFAULT now(),
       PRIMARY KEY (consumer, message_id)
     )`,
  ];
}

export function dropOutboxInboxDdl(schema: string): string[] {
  const s = quoteIdentifier(schema);
  return [`DROP TABLE ${s}.inbox`, `DROP TABLE ${s}.outbox`];
}
