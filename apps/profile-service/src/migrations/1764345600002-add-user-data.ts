import { MigrationInterface, QueryRunner } from 'typeorm';

export class AddUserData1764345600002 implements MigrationInterface {
  name = 'AddUserData1764345600002';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE profile.users ADD COLUMN user_data jsonb NOT NULL DEFAULT '{}'::jsonb`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE profile.users DROP COLUMN user_data');
  }
}
