import { MigrationInterface, QueryRunner } from 'typeorm';
import { dropOutboxInboxDdl, outboxInboxDdl } from '@omni/messaging';

/** Application settings (versioned, published as events) and the gateway's outbox. */
export class ApplicationSettingsAndOutbox1764345600001 implements MigrationInterface {
  name = 'ApplicationSettingsAndOutbox1764345600001';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE gateway.applications
      ADD COLUMN settings jsonb NOT NULL DEFAULT '{"userRegistration":"sdk","userDataFields":[]}'::jsonb,
      ADD COLUMN version integer NOT NULL DEFAULT 1,
      ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now(),
      ADD COLUMN deleted_at timestamptz`);
    for (const statement of outboxInboxDdl('gateway')) await runner.query(statement);
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const statement of dropOutboxInboxDdl('gateway')) await runner.query(statement);
    await runner.query(`ALTER TABLE gateway.applications
      DROP COLUMN settings, DROP COLUMN version, DROP COLUMN updated_at, DROP COLUMN deleted_at`);
  }
}
