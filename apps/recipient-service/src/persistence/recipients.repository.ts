import { Injectable } from '@nestjs/common';
import { EntityManager, QueryFailedError } from 'typeorm';
import { Recipient } from '../domain/recipient';
import { RecipientEntity } from './recipient.entity';

/** The primary key: a second insert of one (application, recipient id) raced this one. */
const PRIMARY_KEY = 'recipients_pkey';
/** SQLSTATE of a serialization failure: the consumer retries it without counting an attempt. */
const SERIALIZATION_FAILURE = '40001';

@Injectable()
export class RecipientsRepository {
  /** Load a recipient for change, locking its row until the transaction ends. */
  /** Load a recipient for change (an erased one too: its tombstone), locking its row until the transaction ends. */
  async findForUpdate(em: EntityManager, application: string, recipientId: string): Promise<Recipient | null> {
    const row = await em.getRepository(RecipientEntity).findOne({
      where: { application, recipientId },
      lock: { mode: 'pessimistic_write' },
    });
    return row && toRecipient(row);
  }

  /**
   * Load every contact of a user for change (active, pending or deactivated; erased ones belong to
   * nobody), locking their rows until the transaction ends, in recipient id order. A row another
   * transaction is changing is waited for and read as that transaction left it: one that no longer
   * belongs to the user is left out.
   */
  async findOfUserForUpdate(em: EntityManager, application: string, userId: string): Promise<Recipient[]> {
    const rows = await em
      .getRepository(RecipientEntity)
      .createQueryBuilder('recipient')
      .where('recipient.application = :application AND recipient.user_id = :userId', { application, userId })
      .orderBy('recipient.recipient_id COLLATE "C"')
      .setLock('pessimistic_write')
      .getMany();
    return rows.map(toRecipient);
  }

  /**
   * Store a recipient: insert one that was never stored, update one that was. A new recipient
   * that another transaction inserted first (two registrations of one new address racing) fails
   * with a retryable serialization failure — without a failing query, whose parameters (the
   * address) the database driver's error log would print.
   */
  async save(em: EntityManager, recipient: Recipient): Promise<void> {
    const { application, recipientId, channel, address, userId, userName, properties, tags, userData, status, verification, token, version } =
      recipient.snapshot;
    const row = {
      channel,
      address,
      userId,
      userName,
      properties,
      tags,
      userData,
      status,
      verification,
      tokenHash: token?.hash ?? null,
      tokenExpiresAt: token?.expiresAt ?? null,
      version,
    };
    try {
      if (version - recipient.events.length > 0) {
        await em.getRepository(RecipientEntity).update({ application, recipientId }, row);
        return;
      }
      const inserted = await em
        .createQueryBuilder()
        .insert()
        .into(RecipientEntity)
        .values({ application, recipientId, ...row })
        .orIgnore()
        .returning(['recipientId'])
        .execute();
      if ((inserted.raw as unknown[]).length > 0) return;
    } catch (error) {
      throw withoutPersonalData(error);
    }
    if (await em.getRepository(RecipientEntity).exists({ where: { application, recipientId } })) {
      throw Object.assign(new Error('recipient inserted concurrently; retrying'), { code: SERIALIZATION_FAILURE });
    }
    throw new Error('the address of this recipient is stored under another recipient id');
  }
}

function toRecipient(row: RecipientEntity): Recipient {
  const { channel, address, userId, userName, properties, tags, userData, status, verification, tokenHash, tokenExpiresAt, version } = row;
  return Recipient.restore({
    application: row.application,
    recipientId: row.recipientId,
    channel,
    address,
    userId,
    userName,
    properties,
    tags,
    userData,
    status,
    verification,
    token: tokenHash !== null && tokenExpiresAt !== null ? { hash: tokenHash, expiresAt: tokenExpiresAt } : null,
    version,
  });
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
  if (code === '23505' && constraint === PRIMARY_KEY) {
    return Object.assign(new Error('recipient inserted concurrently; retrying'), { code: SERIALIZATION_FAILURE });
  }
  // Data and integrity errors (classes 22, 23) may quote values; others (connections, locks) do not.
  const message = code && /^2[23]/.test(code) ? `saving a recipient failed: SQLSTATE ${code}${constraint ? ` (${constraint})` : ''}` : error.message;
  return Object.assign(new Error(message), { code });
}
