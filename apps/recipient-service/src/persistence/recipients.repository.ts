import { Injectable } from '@nestjs/common';
import { EntityManager, QueryFailedError } from 'typeorm';
import { RecipientChannel, RecipientVerification } from '@omni/contracts';
import { BatchRows, DeferredWrite, UserChannelLimit, UserRef, VersionedTable, quoteIdentifier, queryRows, serializationFailure } from '@omni/persistence';
import { RECIPIENT_SCHEMA } from '../config';
import { Recipient, RecipientPropertyValues, RecipientState, RecipientUserData, StoredRecipientStatus } from '../domain/recipient';

/**
 * Plain SQL, and in a consumer's batch one statement per table rather than per call (BatchRows):
 * every round trip to PostgreSQL is costly, and TypeORM's query builder costs CPU on each. The table is described for migrations and tests by `RecipientEntity`;
 * the columns read here are the ones it maps.
 */
const RECIPIENTS = `${quoteIdentifier(RECIPIENT_SCHEMA)}.recipients`;
const COLUMNS =
  'application, recipient_id, channel, address, user_id, user_name, properties, tags, user_data, status, verification, token_hash, token_expires_at, version, ' +
  'registered_at';

/** A contact that counts as one of its user's: active, or pending verification (Recipient.isPresent). */
const PRESENT = `(status = 'active' OR (status = 'inactive' AND verification = 'pending'))`;

/** The primary key: a second insert of one (application, recipient id) raced this one. */
const PRIMARY_KEY = 'recipients_pkey';

/** A row of recipient.recipients as pg returns it (jsonb parsed, text[] as an array, timestamptz as a Date). */
interface RecipientRow {
  application: string;
  recipient_id: string;
  channel: RecipientChannel;
  address: string | null;
  user_id: string | null;
  user_name: string | null;
  properties: RecipientPropertyValues;
  tags: string[];
  user_data: RecipientUserData;
  status: StoredRecipientStatus;
  verification: RecipientVerification;
  token_hash: string | null;
  token_expires_at: Date | null;
  version: number;
  registered_at: Date | null;
}

/** A stored contact: its state, and when it began (see Recipient.registeredAt). */
interface StoredRecipient {
  state: RecipientState;
  registeredAt: Date | null;
}

@Injectable()
export class RecipientsRepository {
  /** In a consumer's batch: the recipients it loaded and changed, written back together before it commits. */
  private readonly inBatch = new BatchRows<StoredRecipient>('recipients of the batch', (em, writes) => this.writeAll(em, writes));

  /**
   * Load for change, with one statement, the recipients a batch's commands name (absent ones are
   * remembered as absent), locking their rows in (application, recipient id) code point order.
   */
  async preload(em: EntityManager, recipients: readonly { application: string; recipientId: string }[]): Promise<RecipientState[]> {
    const wanted = recipients.filter(({ application, recipientId }) => this.inBatch.cached(em, keyOf(application, recipientId)) === undefined);
    if (wanted.length === 0) return [];
    const rows = await TABLE.lockAll<RecipientRow>(em, wanted.map(({ application, recipientId }) => ({ application, id: recipientId })));
    const stored = rows.map(toStored);
    for (const each of stored) this.inBatch.remember(em, keyOf(each.state.application, each.state.recipientId), each);
    for (const { application, recipientId } of wanted) this.inBatch.remember(em, keyOf(application, recipientId), null);
    return stored.map(({ state }) => state);
  }

  /** Load a recipient for change (an erased one too: its tombstone), locking its row until the transaction ends (in a batch: as the batch last left it). */
  async findForUpdate(em: EntityManager, application: string, recipientId: string): Promise<Recipient | null> {
    const key = keyOf(application, recipientId);
    const cached = this.inBatch.cached(em, key);
    if (cached !== undefined) return cached && Recipient.restore(cached.state, cached.registeredAt);
    const rows = await queryRows<RecipientRow>(
      em,
      `SELECT ${COLUMNS} FROM ${RECIPIENTS} WHERE application = $1 AND recipient_id = $2 FOR UPDATE`,
      [application, recipientId],
    );
    const stored = rows.length > 0 ? toStored(rows[0]) : null;
    this.inBatch.remember(em, key, stored);
    return stored && Recipient.restore(stored.state, stored.registeredAt);
  }

  /**
   * Load every contact of a user for change (active, pending or deactivated; erased ones belong to
   * nobody), locking their rows until the transaction ends, in recipient id order. A row another
   * transaction is changing is waited for and read as that transaction left it: one that no longer
   * belongs to the user is left out.
   */
  async findOfUserForUpdate(em: EntityManager, application: string, userId: string): Promise<Recipient[]> {
    await this.inBatch.flush(em);
    const rows = await queryRows<RecipientRow>(
      em,
      `SELECT ${COLUMNS} FROM ${RECIPIENTS} WHERE application = $1 AND user_id = $2 ORDER BY recipient_id COLLATE "C" FOR UPDATE`,
      [application, userId],
    );
    const stored = rows.map(toStored);
    for (const each of stored) this.inBatch.remember(em, keyOf(each.state.application, each.state.recipientId), each);
    return stored.map(({ state, registeredAt }) => Recipient.restore(state, registeredAt));
  }

  /** The limit of contacts per user (see UserChannelLimit): present ones, active or pending verification (Recipient.isPresent). */
  private readonly perUser = new UserChannelLimit({
    kind: 'present contacts of a user',
    table: RECIPIENTS,
    idColumn: 'recipient_id',
    counted: PRESENT,
    beforeCount: (em) => this.inBatch.flush(em),
  });

  /** In a consumer's batch: lock the users its commands attach contacts to, and count their present contacts. */
  preloadUsers(em: EntityManager, users: readonly UserRef[]): Promise<void> {
    return this.perUser.preload(em, users);
  }

  /**
   * Whether the user may have one more present contact (`except` not counted), every other attach
   * to the user waiting for this transaction.
   */
  mayAttach(em: EntityManager, user: UserRef, except: readonly string[], limit: number): Promise<boolean> {
    return this.perUser.allows(em, user, except, limit);
  }

  /**
   * Store a recipient in one statement (a second only when an insert found its key taken): insert
   * one that was never stored, update one that was (its row still at the version it was read at:
   * always so for a row this transaction locked). A new recipient that another transaction
   * inserted first (two registrations of one new address racing) fails with a retryable
   * serialization failure — without a failing query, whose parameters (the address) the database
   * driver's error log would print. In a batch the write waits for the batch's others, all sent
   * together before it commits (writeAll).
   */
  async save(em: EntityManager, recipient: Recipient): Promise<void> {
    const { application, recipientId } = recipient.snapshot;
    const storedVersion = recipient.snapshot.version - recipient.events.length;
    const stored = { state: recipient.snapshot, registeredAt: recipient.registeredAt };
    if (this.inBatch.defer(em, keyOf(application, recipientId), stored, storedVersion)) return;
    let written: unknown[];
    try {
      written = storedVersion > 0 ? await this.update(em, recipient, storedVersion) : await this.insert(em, recipient);
    } catch (error) {
      throw withoutPersonalData(error);
    }
    if (written.length > 0) return;
    if (storedVersion > 0) throw serializationFailure('recipient changed concurrently; retrying');
    if (await this.exists(em, application, recipientId)) throw serializationFailure('recipient inserted concurrently; retrying');
    throw new Error('the address of this recipient is stored under another recipient id');
  }

  /**
   * A batch's writes: new recipients in one insert, changed ones in one update. Any that is not
   * written (a key taken, a row at another version) fails the batch, whose commands then run one at
   * a time — where `save` tells the cases apart.
   */
  private async writeAll(em: EntityManager, writes: DeferredWrite<StoredRecipient>[]): Promise<void> {
    let written: number;
    try {
      written = await TABLE.writeAll(em, writes);
    } catch (error) {
      throw withoutPersonalData(error);
    }
    if (written < writes.length) throw serializationFailure(`${writes.length - written} recipient(s) not written as read; retrying one at a time`);
  }

  /** Insert, or nothing when any unique key is taken (this id, or this address under another id). */
  private insert(em: EntityManager, recipient: Recipient): Promise<unknown[]> {
    return queryRows(
      em,
      `INSERT INTO ${RECIPIENTS} (${COLUMNS})
       VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8::text[], $9::jsonb, $10, $11, $12, $13, $14, $15)
       ON CONFLICT DO NOTHING
       RETURNING 1`,
      columnValues(recipient),
    );
  }

  /** Update the row at `storedVersion`; nothing when it is at another one. */
  private update(em: EntityManager, recipient: Recipient, storedVersion: number): Promise<unknown[]> {
    return queryRows(
      em,
      `UPDATE ${RECIPIENTS} SET
         channel = $3, address = $4, user_id = $5, user_name = $6, properties = $7::jsonb, tags = $8::text[],
         user_data = $9::jsonb, status = $10, verification = $11, token_hash = $12, token_expires_at = $13,
         version = $14, registered_at = $15, updated_at = now()
       WHERE application = $1 AND recipient_id = $2 AND version = $16
       RETURNING 1`,
      [...columnValues(recipient), storedVersion],
    );
  }

  private async exists(em: EntityManager, application: string, recipientId: string): Promise<boolean> {
    const rows = await queryRows(em, `SELECT 1 FROM ${RECIPIENTS} WHERE application = $1 AND recipient_id = $2`, [application, recipientId]);
    return rows.length > 0;
  }
}

const TABLE = new VersionedTable<StoredRecipient>({
  table: RECIPIENTS,
  columns: COLUMNS.split(', '),
  types: ['text', 'text', 'text', 'text', 'text', 'text', 'jsonb', 'text[]', 'jsonb', 'text', 'text', 'text', 'timestamptz', 'integer', 'timestamptz'],
  values: storedValues,
});

function keyOf(application: string, recipientId: string): string {
  return `${application}\u0000${recipientId}`;
}

/** The values of COLUMNS, in order ($1 … $15). */
function columnValues(recipient: Recipient): unknown[] {
  return storedValues({ state: recipient.snapshot, registeredAt: recipient.registeredAt });
}

function storedValues({ state, registeredAt }: StoredRecipient): unknown[] {
  const { application, recipientId, channel, address, userId, userName, properties, tags, userData, status, verification, token, version } = state;
  return [
    application,
    recipientId,
    channel,
    address,
    userId,
    userName,
    JSON.stringify(properties),
    tags,
    JSON.stringify(userData),
    status,
    verification,
    token?.hash ?? null,
    token?.expiresAt ?? null,
    version,
    registeredAt,
  ];
}

function toStored(row: RecipientRow): StoredRecipient {
  return {
    state: {
      application: row.application,
      recipientId: row.recipient_id,
      channel: row.channel,
      address: row.address,
      userId: row.user_id,
      userName: row.user_name,
      properties: row.properties,
      tags: row.tags,
      userData: row.user_data,
      status: row.status,
      verification: row.verification,
      token: row.token_hash !== null && row.token_expires_at !== null ? { hash: row.token_hash, expiresAt: row.token_expires_at } : null,
      version: row.version,
    },
    registeredAt: row.registered_at,
  };
}

/**
 * A database error without the query's parameters and PostgreSQL's `detail` (which quote the
 * address): the consumer logs handler errors, and addresses must never reach a log. The SQLSTATE
 * code stays, so infrastructure failures are still told apart from poison. Two registrations of
 * one new address that raced each other (primary key violation) count as a serialization failure
 * (40001): retried, the second finds the first's row and updates it.
 */
export function withoutPersonalData(error: unknown): unknown {
  if (!(error instanceof QueryFailedError)) return error;
  const driver = error.driverError as { code?: string; constraint?: string; message?: string } | undefined;
  const code = driver?.code;
  const constraint = driver?.constraint;
  if (code === '23505' && constraint === PRIMARY_KEY) return serializationFailure('recipient inserted concurrently; retrying');
  // Data and integrity errors (classes 22, 23) may quote values; others (connections, locks) do not.
  const message = code && /^2[23]/.test(code) ? `saving a recipient failed: SQLSTATE ${code}${constraint ? ` (${constraint})` : ''}` : error.message;
  return Object.assign(new Error(message), { code });
}
