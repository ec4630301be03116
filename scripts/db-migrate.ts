/** `npm run db:migrate`: create the database if needed and apply every app's migrations. */
import { migrateAll, redactUrl } from './lib/setup';
import { DEFAULT_DATABASE_URL } from '../libs/config/src';

const url = process.env.DATABASE_URL || DEFAULT_DATABASE_URL;
migrateAll(url)
  .then((applied) => {
    console.log(`database ${redactUrl(url)}: ${applied.length ? `applied ${applied.join(', ')}` : 'up to date'}`);
  })
  .catch((error: unknown) => {
    console.error('migration failed:', error);
    process.exit(1);
  });
