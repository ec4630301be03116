import { MigrationInterface } from 'typeorm';
import { DEVICE_MIGRATIONS } from '../../apps/device-service/src/migrations';
import { GATEWAY_MIGRATIONS } from '../../apps/gateway/src/migrations';
import { PROFILE_MIGRATIONS } from '../../apps/profile-service/src/migrations';
import { PROJECTION_MIGRATIONS } from '../../apps/projection-service/src/migrations';
import { RECIPIENT_MIGRATIONS } from '../../apps/recipient-service/src/migrations';

/** Every app, its HTTP port and the schema (with its migrations) it owns. */
export interface AppSpec {
  name: string;
  port: number;
  schema: string;
  migrations: (new () => MigrationInterface)[];
}

export const APPS: readonly AppSpec[] = [
  { name: 'gateway', port: 3000, schema: 'gateway', migrations: GATEWAY_MIGRATIONS },
  { name: 'device-service', port: 3101, schema: 'device', migrations: DEVICE_MIGRATIONS },
  { name: 'recipient-service', port: 3102, schema: 'recipient', migrations: RECIPIENT_MIGRATIONS },
  { name: 'profile-service', port: 3103, schema: 'profile', migrations: PROFILE_MIGRATIONS },
  { name: 'projection-service', port: 3104, schema: 'projection', migrations: PROJECTION_MIGRATIONS },
];
