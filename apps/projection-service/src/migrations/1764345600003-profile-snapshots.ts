import { MigrationInterface, QueryRunner } from 'typeorm';
import { dropOutboxInboxDdl, outboxInboxDdl } from '@omni/messaging';
import { schemaOf } from './schema-of';

/**
 * Profile snapshots: the projection's outbox (relayed to `profile.snapshots`), the snapshot version
 * per user, and a user name that does not depend on the order in which events arrive: the
 * profile-service's name if it gave one, else the latest name a channel carried.
 */
export class ProfileSnapshots1764345600003 implements MigrationInterface {
  name = 'ProfileSnapshots1764345600003';

  async up(runner: QueryRunner): Promise<void> {
    const s = schemaOf(runner);
    const schema = (runner.connection.options as { schema?: string }).schema ?? 'projection';
    for (const statement of outboxInboxDdl(schema)) await runner.query(statement);
    await runner.query(`CREATE TABLE ${s}.profile_versions (
      application text NOT NULL,
      user_id text NOT NULL,
      version bigint NOT NULL,
      PRIMARY KEY (application, user_id)
    )`);
    await runner.query(`ALTER TABLE ${s}.users
      ADD COLUMN profile_user_name text,
      ADD COLUMN channel_user_name text,
      ADD COLUMN channel_user_name_at timestamptz`);
    await runner.query(`UPDATE ${s}.users u SET profile_user_name = u.user_name
      WHERE EXISTS (SELECT 1 FROM ${s}.entity_versions v
                     WHERE v.application = u.application AND v.entity_type = 'user' AND v.entity_id = u.user_id)`);
    await runner.query(`UPDATE ${s}.users SET channel_user_name = user_name, channel_user_name_at = created_at
      WHERE profile_user_name IS NULL AND user_name IS NOT NULL`);
    await runner.query(`ALTER TABLE ${s}.users DROP COLUMN user_name`);
    await runner.query(`ALTER TABLE ${s}.users
      ADD COLUMN user_name text GENERATED ALWAYS AS (COALESCE(profile_user_name, channel_user_name)) STORED`);
  }

  async down(runner: QueryRunner): Promise<void> {
    const s = schemaOf(runner);
    const schema = (runner.connection.options as { schema?: string }).schema ?? 'projection';
    await runner.query(`ALTER TABLE ${s}.users ADD COLUMN name_kept text`);
    await runner.query(`UPDATE ${s}.users SET name_kept = user_name`);
    await runner.query(`ALTER TABLE ${s}.users DROP COLUMN user_name, DROP COLUMN profile_user_name, DROP COLUMN channel_user_name, DROP COLUMN channel_user_name_at`);
    await runner.query(`ALTER TABLE ${s}.users RENAME COLUMN name_kept TO user_name`);
    await runner.query(`DROP TABLE ${s}.profile_versions`);
    for (const statement of dropOutboxInboxDdl(schema)) await runner.query(statement);
  }
}
