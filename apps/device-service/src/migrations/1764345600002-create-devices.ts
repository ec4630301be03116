import { MigrationInterface, QueryRunner } from 'typeorm';

/** The devices an application's SDKs registered: one row per (application, deviceID). */
export class CreateDevices1764345600002 implements MigrationInterface {
  name = 'CreateDevices1764345600002';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE TABLE device.devices (
      application text NOT NULL,
      device_id text NOT NULL,
      user_id text,
      user_name text,
      platform text NOT NULL,
      transport text NOT NULL,
      properties jsonb NOT NULL DEFAULT '{}'::jsonb,
      tags text[] NOT NULL DEFAULT '{}',
      user_data jsonb NOT NULL DEFAULT '{}'::jsonb,
      status text NOT NULL CHECK (status IN ('active', 'inactive')),
      replaced_by text,
      version integer NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (application, device_id)
    )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE device.devices');
  }
}
