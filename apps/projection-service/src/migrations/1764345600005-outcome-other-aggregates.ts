import { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from './schema-of';

/** The other aggregates a command changed (`[{aggregateType, aggregateId, version}]`): its write is visible once each is. */
export class OutcomeOtherAggregates1764345600005 implements MigrationInterface {
  name = 'OutcomeOtherAggregates1764345600005';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE ${schemaOf(runner)}.command_outcomes ADD COLUMN other_aggregates jsonb`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE ${schemaOf(runner)}.command_outcomes DROP COLUMN other_aggregates`);
  }
}
