import { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from './schema-of';

/** Push devices and the users' data in the read model. */
export class CreateChannelReadModel1764345600001 implements MigrationInterface {
  name = 'CreateChannelReadModel1764345600001';

  async up(runner: QueryRunner): Promise<void> {
    const s = schemaOf(runner);
    await runner.query(`CREATE TABLE ${s}.devices (
      application text NOT NULL,
      device_id text NOT NULL,
      user_id text,
      user_name text,
      platform text NOT NULL,
      transport text NOT NULL,
      properties jsonb NOT NULL DEFAULT '{}'::jsonb,
      tags text[] NOT NULL DEFAULT '{}',
      user_data jsonb NOT NULL DEFAULT '{}'::jsonb,
      status text NOT NULL CHECK (status IN ('active', 'inactive')),
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL,
      PRIMARY KEY (application, device_id)
    )`);
    await runner.query(`CREATE INDEX devices_user_idx ON ${s}.devices (application, user_id) WHERE user_id IS NOT NULL`);
    await runner.query(`ALTER TABLE ${s}.users ADD COLUMN user_data jsonb NOT NULL DEFAULT '{}'::jsonb`);
  }

  async down(runner: QueryRunner): Promise<void> {
    const s = schemaOf(runner);
    await runner.query(`ALTER TABLE ${s}.users DROP COLUMN user_data`);
    await runner.query(`DROP TABLE ${s}.devices`);
  }
}
