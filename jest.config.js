// @ts-check
const { readFileSync } = require('node:fs');

// Path aliases of tsconfig.base.json, for jest's resolver.
const { compilerOptions } = JSON.parse(readFileSync(`${__dirname}/tsconfig.base.json`, 'utf8'));
const moduleNameMapper = Object.fromEntries(
  Object.entries(compilerOptions.paths).map(([alias, [target]]) => [`^${alias}$`, `<rootDir>/${target}`]),
);
const { $schema, ...swc } = JSON.parse(readFileSync(`${__dirname}/.swcrc`, 'utf8'));

const shared = {
  rootDir: __dirname,
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['@swc/jest', swc] },
  moduleNameMapper,
  testPathIgnorePatterns: ['/node_modules/', '/.cache/', '/dist/'],
  setupFiles: ['<rootDir>/libs/testing/src/exit-with-runner.ts'],
};

/** The short fault suite: it compares latencies, so `npm test` runs it alone, after the other projects. */
const SHORT_FAULT_SUITE = '/faults\\.e2e-spec\\.ts$';

/**
 * One runner, three kinds of tests:
 * - unit (`*.spec.ts`, beside the code): no database, no broker;
 * - integration (`*.int-spec.ts`, in apps/<app>/test and libs/<lib>/test): real broker and database;
 * - e2e (`*.e2e-spec.ts`): every service running, through the gateway's HTTP API; the short fault
 *   suite is a project of its own (`short-faults`).
 * The global setup starts (or reuses) Kafka and makes a migrated template database for the run.
 *
 * @type {import('jest').Config}
 */
module.exports = {
  ...shared,
  globalSetup: '<rootDir>/libs/testing/src/global-setup.ts',
  globalTeardown: '<rootDir>/libs/testing/src/global-teardown.ts',
  testTimeout: 60_000,
  maxWorkers: 2,
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs,scripts,tools}/**/*.spec.ts'] },
    { ...shared, displayName: 'integration', testMatch: ['<rootDir>/{apps,libs}/**/*.int-spec.ts'] },
    {
      ...shared,
      displayName: 'e2e',
      testMatch: ['<rootDir>/{apps,scripts}/**/*.e2e-spec.ts'],
      testPathIgnorePatterns: [...shared.testPathIgnorePatterns, SHORT_FAULT_SUITE],
    },
    { ...shared, displayName: 'short-faults', testMatch: ['<rootDir>/apps/**/faults.e2e-spec.ts'] },
    // The full fault suite (`*.faults-spec.ts`, minutes long, its own PostgreSQL and Kafka): only when
    // asked for (`npm run test:faults`); `npm test` runs its short version.
    ...(process.argv.includes('faults')
      ? [{ ...shared, displayName: 'faults', testMatch: ['<rootDir>/apps/**/*.faults-spec.ts'] }]
      : []),
  ],
};
