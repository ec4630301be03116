import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * When each contact began: the time of its first recipient.registered, or of the one that
 * registered it anew after it was erased. An event that changes the contact's owner carries it
 * with the contact's state, so that a reader that can no longer open the events before (sealed for
 * an erased earlier owner) still gives the contact the createdAt it had (ADR 0009). Contacts
 * stored before have the time their row was inserted (that of their first registration, to within
 * the transaction); tombstones have none.
 */
export class RecipientRegisteredAt1764345600005 implements MigrationInterface {
  name = 'RecipientRegisteredAt1764345600005';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE recipient.recipients ADD COLUMN registered_at timestamptz');
    await runner.query(`UPDATE recipient.recipients SET registered_at = created_at WHERE status <> 'erased'`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE recipient.recipients DROP COLUMN registered_at');
  }
}
