import { Injectable } from '@nestjs/common';
import { EntityManager, QueryFailedError } from 'typeorm';
import { RecipientChannel, RecipientVerification } from '@omni/contracts';
import { quoteIdentifier, queryRows, serializationFailure } from '@omni/persistence';
import { RECIPIENT_SCHEMA } from '../config';
import { Recipient, RecipientPropertyValues, RecipientUserData, StoredRecipientStatus } from '../domain/recipient';

/**
 * Plain SQL, one statement per call: every round trip to PostgreSQL is costly, and TypeORM's query
 * builder costs CPU on each. The table is described for migrations and tests by `RecipientEntity`;
 * the columns read here are the ones it maps.
 */
const RECIPIENTS = `${quoteIdentifier(RECIPIENT_SCHEMA)}.recipients`;
const COLUMNS =
  'application, recipient_id, channel, address, user_id, user_name, properties, tags, user_data, status, verification, token_hash, token_expires_at, version, ' +
  'registered_at';

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

@Injectable()
export class RecipientsRepository {
  /** Load a recipient for change (an erased one too: its tombstone), locking its row until the transaction ends. */
  async findForUpdate(em: EntityManager, application: string, recipientId: string): Promise<Recipient | null> {
    const rows = await queryRows<RecipientRow>(
      em,
      `SELECT ${COLUMNS} FROM ${RECIPIENTS} WHERE application = $1 AND recipient_id = $2 FOR UPDATE`,
      [application, recipientId],
    );
    return rows.length > 0 ? toRecipient(rows[0]) : null;
  }

  /**
   * Load every contact of a user for change (active, pending or deactivated; erased ones belong to
   * nobody), locking their rows until the transaction ends, in recipient id order. A row another
   * transaction is changing is waited for and read as that transaction left it: one that no longer
   * belongs to the user is left out.
   */
  async findOfUserForUpdate(em: EntityManager, application: string, userId: string): Promise<Recipient[]> {
    const rows = await queryRows<RecipientRow>(
      em,
      `SELECT ${COLUMNS} FROM ${RECIPIENTS} WHERE application = $1 AND user_id = $2 ORDER BY recipient_id COLLATE "C" FOR UPDATE`,
      [application, userId],
    );
    return rows.map(toRecipient);
  }

  /**
   * Store a recipient in one statement (a second only when an insert found its key taken): insert
   * one that was never stored, update one that was (its row still at the version it was read at:
   * always so for a row this transaction locked). A new recipient that another transaction
   * inserted first (two registrations of one new address racing) fails with a retryable
   * serialization failure — without a failing query, whose parameters (the address) the database
   * driver's error log would print.
   */
  async save(em: EntityManager, recipient: Recipient): Promise<void> {
    const { application, recipientId } = recipient.snapshot;
    const storedVersion = recipient.snapshot.version - recipient.events.length;
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

/** The values of COLUMNS, in order ($1 … $15). */
function columnValues(recipient: Recipient): unknown[] {
  const { application, recipientId, channel, address, userId, userName, properties, tags, userData, status, verification, token, version } =
    recipient.snapshot;
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
    recipient.registeredAt,
  ];
}

function toRecipient(row: RecipientRow): Recipient {
  return Recipient.restore(
    {
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
    row.registered_at,
  );
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
