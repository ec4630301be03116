import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** What the global setup made for this run, for the test files (other processes) and the teardown. */
export interface TestRun {
  runId: string;
  brokers: string;
  /** Migrated template database; each test file clones it. */
  templateUrl: string;
  stops: ({ kind: 'local-kafka'; port: number; dataDir: string } | { kind: 'containers' })[];
}

/** Set by the global setup; jest's workers inherit it, so runs side by side never read each other's. */
const RUN_ID_VARIABLE = 'OMNI_TEST_RUN_ID';
const DIRECTORY = path.resolve(__dirname, '../../../.cache/test-runs');

const fileOf = (runId: string) => path.join(DIRECTORY, `${runId}.json`);

export function saveTestRun(run: TestRun): void {
  mkdirSync(DIRECTORY, { recursive: true });
  writeFileSync(fileOf(run.runId), JSON.stringify(run, null, 2));
  process.env[RUN_ID_VARIABLE] = run.runId;
}

export function loadTestRun(): TestRun {
  const runId = process.env[RUN_ID_VARIABLE];
  if (!runId) throw new Error('no test run: start tests with `npm test` (jest with the root config runs the global setup)');
  return JSON.parse(readFileSync(fileOf(runId), 'utf8')) as TestRun;
}

export function forgetTestRun(run: TestRun): void {
  rmSync(fileOf(run.runId), { force: true });
}

/** Every topic and group of a run starts with this, so the teardown can find them. */
export const RUN_TOPIC_PREFIX = (runId: string): string => `t${runId}-`;
