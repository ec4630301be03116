import { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from './schema-of';

/** Email contacts and SMS numbers in the read model (never their verification tokens). */
export class CreateRecipientsReadModel1764345600002 implements MigrationInterface {
  name = 'CreateRecipientsReadModel1764345600002';

  async up(runner: QueryRunner): Promise<void> {
    const s = schemaOf(runner);
    await runner.query(`CREATE TABLE ${s}.recipients (
      application text NOT NULL,
      recipient_id text NOT NULL,
      channel text NOT NULL CHECK (channel IN ('email', 'sms')),
      address text NOT NULL,
      user_id text,
      user_name text,
      properties jsonb NOT NULL DEFAULT '{}'::jsonb,
      tags text[] NOT NULL DEFAULT '{}',
      user_data jsonb NOT NULL DEFAULT '{}'::jsonb,
      status text NOT NULL CHECK (status IN ('active', 'inactive')),
      verification text NOT NULL CHECK (verification IN ('none', 'pending', 'verified')),
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL,
      PRIMARY KEY (application, recipient_id)
    )`);
    await runner.query(`CREATE INDEX recipients_user_idx ON ${s}.recipients (application, user_id) WHERE user_id IS NOT NULL`);
  }

  async down(runner: QueryRunner): Promise<void> {
    const s = schemaOf(runner);
    await runner.query(`DROP TABLE ${s}.recipients`);
  }
}
