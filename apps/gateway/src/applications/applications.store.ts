import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { SecretHasher, newApplicationKey, newSecret } from './credentials';

export interface ApplicationRecord {
  applicationKey: string;
  name: string;
  applicationSecretHash: Buffer;
  masterSecretHash: Buffer;
}

export interface CreatedApplication {
  applicationKey: string;
  name: string;
  /** Shown once, at creation; only their hashes are stored. */
  applicationSecret: string;
  masterSecret: string;
}

export const SECRET_HASHER = Symbol('SECRET_HASHER');

/** The application registry (gateway schema). */
@Injectable()
export class ApplicationsStore {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(SECRET_HASHER) private readonly hasher: SecretHasher,
  ) {}

  async create(name: string): Promise<CreatedApplication> {
    const created: CreatedApplication = {
      applicationKey: newApplicationKey(),
      name,
      applicationSecret: newSecret(),
      masterSecret: newSecret(),
    };
    await this.dataSource.query(
      `INSERT INTO gateway.applications (application_key, name, application_secret_hash, master_secret_hash)
       VALUES ($1, $2, $3, $4)`,
      [created.applicationKey, name, this.hasher.hash(created.applicationSecret), this.hasher.hash(created.masterSecret)],
    );
    return created;
  }

  async find(applicationKey: string): Promise<ApplicationRecord | undefined> {
    const rows: { application_key: string; name: string; application_secret_hash: Buffer; master_secret_hash: Buffer }[] =
      await this.dataSource.query(
        `SELECT application_key, name, application_secret_hash, master_secret_hash
           FROM gateway.applications WHERE application_key = $1`,
        [applicationKey],
      );
    const row = rows[0];
    return (
      row && {
        applicationKey: row.application_key,
        name: row.name,
        applicationSecretHash: row.application_secret_hash,
        masterSecretHash: row.master_secret_hash,
      }
    );
  }
}
