import { MigrationInterface, QueryRunner } from 'typeorm';
import { dropOutboxInboxDdl, outboxInboxDdl } from '@omni/messaging';

export class CreateDeviceTables1764345600000 implements MigrationInterface {
  name = 'CreateDeviceTables1764345600000';

  async up(runner: QueryRunner): Promise<void> {
    for (const statement of outboxInboxDdl('device')) await runner.query(statement);
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const statement of dropOutboxInboxDdl('device')) await runner.query(statement);
  }
}
