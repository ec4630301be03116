import { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from './schema-of';

export class CreateReadModel1764345600000 implements MigrationInterface {
  name = 'CreateReadModel1764345600000';

  async up(runner: QueryRunner): Promise<void> {
    const s = schemaOf(runner);
    await runner.query(`CREATE TABLE ${s}.entity_versions (
      application text NOT NULL,
      entity_type text NOT NULL,
      entity_id text NOT NULL,
      version integer NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (application, entity_type, entity_id)
    )`);
    await runner.query(`CREATE TABLE ${s}.command_outcomes (
      command_id uuid PRIMARY KEY,
      application text NOT NULL,
      command_type text NOT NULL,
      status text NOT NULL CHECK (status IN ('accepted', 'rejected')),
      aggregate_type text NOT NULL,
      aggregate_id text NOT NULL,
      aggregate_version integer,
      created boolean NOT NULL DEFAULT false,
      result jsonb,
      error jsonb,
      recorded_at timestamptz NOT NULL DEFAULT now()
    )`);
    await runner.query(`CREATE INDEX command_outcomes_recorded_at_idx ON ${s}.command_outcomes (recorded_at)`);
    await runner.query(`CREATE TABLE ${s}.users (
      application text NOT NULL,
      user_id text NOT NULL,
      user_name text,
      status text NOT NULL,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL,
      PRIMARY KEY (application, user_id)
    )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    const s = schemaOf(runner);
    await runner.query(`DROP TABLE ${s}.users`);
    await runner.query(`DROP TABLE ${s}.command_outcomes`);
    await runner.query(`DROP TABLE ${s}.entity_versions`);
  }
}
