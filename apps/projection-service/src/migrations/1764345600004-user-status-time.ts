import { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from './schema-of';

/**
 * A user's status that does not depend on the order in which events arrive: `status_at` is the
 * event time of the status it holds (see Projection.ensureUser). Existing rows take their last
 * update, the latest their status can date from: a late event older than that changes nothing.
 */
export class UserStatusTime1764345600004 implements MigrationInterface {
  name = 'UserStatusTime1764345600004';

  async up(runner: QueryRunner): Promise<void> {
    const s = schemaOf(runner);
    await runner.query(`ALTER TABLE ${s}.users ADD COLUMN status_at timestamptz`);
    await runner.query(`UPDATE ${s}.users SET status_at = updated_at`);
  }

  async down(runner: QueryRunner): Promise<void> {
    const s = schemaOf(runner);
    await runner.query(`ALTER TABLE ${s}.users DROP COLUMN status_at`);
  }
}
