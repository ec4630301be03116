import { randomBytes } from 'node:crypto';
import { dropDatabase, ensureDatabase, withDatabase } from '@omni/persistence';
import { databaseName } from '@omni/persistence';
import { loadTestRun } from './test-run';

/** A database of the test file's own, cloned from the run's migrated template (fast: no migrations). */
export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

export async function testDatabase(): Promise<TestDatabase> {
  const run = loadTestRun();
  const url = withDatabase(run.templateUrl, `omni_test_${run.runId}_${randomBytes(4).toString('hex')}`);
  await ensureDatabase(url, { template: databaseName(run.templateUrl) });
  return { url, drop: () => dropDatabase(url) };
}
