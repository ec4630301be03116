import { MigrationInterface, QueryRunner } from 'typeorm';
import { SUBJECT_KEYS_DDL } from '@omni/personal-data';

/**
 * The users' data keys (crypto-shredding, ADR 0009), in their own schema: the profile-service owns
 * users and so their keys, but every producer of events and the projection use the table.
 */
export class CreateSubjectKeys1764345600003 implements MigrationInterface {
  name = 'CreateSubjectKeys1764345600003';

  async up(runner: QueryRunner): Promise<void> {
    for (const statement of SUBJECT_KEYS_DDL) await runner.query(statement);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP SCHEMA personal_data CASCADE');
  }
}
