import { MigrationInterface, QueryRunner } from 'typeorm';

/** A user's devices, found by (application, userID): erasing a user reads and locks them all. */
export class IndexDevicesByUser1764345600003 implements MigrationInterface {
  name = 'IndexDevicesByUser1764345600003';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query('CREATE INDEX devices_user_idx ON device.devices (application, user_id) WHERE user_id IS NOT NULL');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP INDEX device.devices_user_idx');
  }
}
