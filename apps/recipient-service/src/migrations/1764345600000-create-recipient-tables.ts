import { MigrationInterface, QueryRunner } from 'typeorm';
import { dropOutboxInboxDdl, outboxInboxDdl } from '@omni/messaging';

export class CreateRecipientTables1764345600000 implements MigrationInterface {
  name = 'CreateRecipientTables1764345600000';

  async up(runner: QueryRunner): Promise<void> {
    for (const statement of outboxInboxDdl('recipient')) await runner.query(statement);
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const statement of dropOutboxInboxDdl('recipient')) await runner.query(statement);
  }
}
