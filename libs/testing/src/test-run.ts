import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** What the global setup made for this run, for the test files (other processes) and the teardown. */
export interface TestRun {
  runId: string;
  brokers: string;
  /** Migrated template database; each test file clones it. */
  templateUrl: string;
  stops: ({ kind: 'local-kafka'; port: number; dataDir: string } | { kind: 'containers' })[];
}

const FILE = path.resolve(__dirname, '../../../.cache/test-run.json');

export function saveTestRun(run: TestRun): void {
  mkdirSync(path.dirname(FILE), { recursive: true });
  writeFileSync(FILE, JSON.stringify(run, null, 2));
}

export function loadTestRun(): TestRun {
  try {
    return JSON.parse(readFileSync(FILE, 'utf8')) as TestRun;
  } catch {
    throw new Error('no test run: start tests with `npm test` (jest with the root config runs the global setup)');
  }
}

/** Every topic and group of a run starts with this, so the teardown can find them. */
export const RUN_TOPIC_PREFIX = (runId: string): string => `t${runId}-`;
