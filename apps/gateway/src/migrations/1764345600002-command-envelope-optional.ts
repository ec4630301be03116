import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A command keeps its envelope only while it may have to be published again (an idempotent write
 * not answered yet): the envelope holds the request's personal data, which must not outlive it.
 */
export class CommandEnvelopeOptional1764345600002 implements MigrationInterface {
  name = 'CommandEnvelopeOptional1764345600002';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE gateway.commands ALTER COLUMN envelope DROP NOT NULL');
    await runner.query('UPDATE gateway.commands SET envelope = NULL WHERE idempotency_key IS NULL OR response_status IS NOT NULL');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`UPDATE gateway.commands SET envelope = 'null'::jsonb WHERE envelope IS NULL`);
    await runner.query('ALTER TABLE gateway.commands ALTER COLUMN envelope SET NOT NULL');
  }
}
