import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The email contacts and SMS numbers of each application: one row per (application, recipient
 * id), and at most one per (application, channel, normalised address) — the recipient id is
 * derived from the address, the unique constraint guards that rule in the database as well.
 * Verification tokens are stored as hashes only.
 */
export class CreateRecipients1764345600003 implements MigrationInterface {
  name = 'CreateRecipients1764345600003';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE TABLE recipient.recipients (
      application text NOT NULL,
      recipient_id text NOT NULL,
      channel text NOT NULL CHECK (channel IN ('email', 'sms')),
      address text NOT NULL,
      user_id text,
      user_name text,
      properties jsonb NOT NULL DEFAULT '{}'::jsonb,
      tags text[] NOT NULL DEFAULT '{}',
      user_data jsonb NOT NULL DEFAULT '{}'::jsonb,
      status text NOT NULL CHECK (status IN ('active', 'inactive')),
      verification text NOT NULL CHECK (verification IN ('none', 'pending', 'verified')),
      token_hash text,
      token_expires_at timestamptz,
      version integer NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT recipients_pkey PRIMARY KEY (application, recipient_id),
      CONSTRAINT recipients_address_key UNIQUE (application, channel, address),
      CONSTRAINT recipients_token_check CHECK ((token_hash IS NULL) = (token_expires_at IS NULL))
    )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE recipient.recipients');
  }
}
