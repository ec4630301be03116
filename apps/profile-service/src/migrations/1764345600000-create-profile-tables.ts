import { MigrationInterface, QueryRunner } from 'typeorm';
import { dropOutboxInboxDdl, outboxInboxDdl } from '@omni/messaging';

export class CreateProfileTables1764345600000 implements MigrationInterface {
  name = 'CreateProfileTables1764345600000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE TABLE profile.users (
      application text NOT NULL,
      user_id text NOT NULL,
      user_name text,
      status text NOT NULL,
      version integer NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (application, user_id)
    )`);
    for (const statement of outboxInboxDdl('profile')) await runner.query(statement);
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const statement of dropOutboxInboxDdl('profile')) await runner.query(statement);
    await runner.query('DROP TABLE profile.users');
  }
}
