import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Recipients can be erased with their user: the row stays as a tombstone (status `erased`) so that
 * the contact's version carries on if its address is registered again, but keeps nothing personal.
 * The database holds the rule too: an erased row has no address, user, user data, properties,
 * tags or verification, and only an erased row lacks an address. The user's contacts are found by
 * (application, user_id).
 */
export class ErasableRecipients1764345600004 implements MigrationInterface {
  name = 'ErasableRecipients1764345600004';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE recipient.recipients ALTER COLUMN address DROP NOT NULL');
    await runner.query('ALTER TABLE recipient.recipients DROP CONSTRAINT recipients_status_check');
    await runner.query(`ALTER TABLE recipient.recipients ADD CONSTRAINT recipients_status_check CHECK (status IN ('active', 'inactive', 'erased'))`);
    await runner.query(`ALTER TABLE recipient.recipients ADD CONSTRAINT recipients_erased_check CHECK (
      (status = 'erased') = (address IS NULL)
      AND (status <> 'erased' OR (
        user_id IS NULL AND user_name IS NULL AND user_data = '{}'::jsonb AND properties = '{}'::jsonb AND tags = '{}'
        AND verification = 'none' AND token_hash IS NULL
      ))
    )`);
    await runner.query('CREATE INDEX recipients_user_idx ON recipient.recipients (application, user_id) WHERE user_id IS NOT NULL');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP INDEX recipient.recipients_user_idx');
    await runner.query('ALTER TABLE recipient.recipients DROP CONSTRAINT recipients_erased_check');
    // Tombstones cannot be represented before this migration: they go (their contacts were erased).
    await runner.query(`DELETE FROM recipient.recipients WHERE status = 'erased'`);
    await runner.query('ALTER TABLE recipient.recipients DROP CONSTRAINT recipients_status_check');
    await runner.query(`ALTER TABLE recipient.recipients ADD CONSTRAINT recipients_status_check CHECK (status IN ('active', 'inactive'))`);
    await runner.query('ALTER TABLE recipient.recipients ALTER COLUMN address SET NOT NULL');
  }
}
