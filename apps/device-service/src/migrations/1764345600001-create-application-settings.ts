import { MigrationInterface, QueryRunner } from 'typeorm';
import { applicationSettingsDdl } from '@omni/app-settings';

/** The service's copy of application settings (kept from application.events). */
export class CreateApplicationSettings1764345600001 implements MigrationInterface {
  name = 'CreateApplicationSettings1764345600001';

  async up(runner: QueryRunner): Promise<void> {
    for (const statement of applicationSettingsDdl('device')) await runner.query(statement);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE device.application_settings');
  }
}
