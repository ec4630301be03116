import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateGatewayTables1764345600000 implements MigrationInterface {
  name = 'CreateGatewayTables1764345600000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE TABLE gateway.applications (
      application_key text PRIMARY KEY,
      name text NOT NULL,
      application_secret_hash bytea NOT NULL,
      master_secret_hash bytea NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
    await runner.query(`CREATE TABLE gateway.commands (
      command_id uuid PRIMARY KEY,
      application text NOT NULL,
      command_type text NOT NULL,
      topic text NOT NULL,
      envelope jsonb NOT NULL,
      idempotency_key text,
      request_hash text NOT NULL,
      response_status integer,
      response_body jsonb,
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (application, idempotency_key)
    )`);
    await runner.query('CREATE INDEX commands_created_at_idx ON gateway.commands (created_at)');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE gateway.commands');
    await runner.query('DROP TABLE gateway.applications');
  }
}
