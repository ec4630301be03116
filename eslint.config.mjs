// @ts-check
import { defineConfig } from 'eslint/config';
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';
// `nx` has no exports map; devkit-exports is what @nx/devkit re-exports.
import { createProjectGraphAsync } from 'nx/src/devkit-exports.js';
// SQL only through parameters: the rule, and its proof, live in tools/eslint.
import omni from './tools/eslint/sql-parameters.cjs';

// @nx/enforce-module-boundaries reads the *cached* project graph and silently skips itself
// when there is none (fresh checkout, CI). Build it first, without leaving a daemon behind.
process.env.NX_DAEMON ??= 'false';
await createProjectGraphAsync({ exitOnError: true });

const sourceFiles = ['apps/**/*.ts', 'libs/**/*.ts', 'scripts/**/*.ts'];
const testFiles = ['**/*.spec.ts', '**/*.int-spec.ts', '**/*.e2e-spec.ts', '**/test/**', '**/strict-fakes.ts'];

/** @typedef {{ sourceTag: string, onlyDependOnLibsWithTags: string[], notDependOnLibsWithTags?: string[] }} DepConstraint */
/** @returns {['error', object]} */
const boundaries = (/** @type {DepConstraint[]} */ depConstraints) => [
  'error',
  { allow: [], enforceBuildableLibDependency: false, depConstraints },
];

// Production code. `type:app` → only `type:lib`, so an app can never import another app;
// libs/testing is `type:lib` too, hence the explicit ban on `scope:testing` outside tests.
/** @type {DepConstraint[]} */
const depConstraints = [
  { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib'], notDependOnLibsWithTags: ['scope:testing'] },
  { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
  { sourceTag: 'scope:testing', onlyDependOnLibsWithTags: ['scope:shared', 'scope:testing', 'type:tooling'] },
  { sourceTag: 'type:tooling', onlyDependOnLibsWithTags: [] },
];

// Test files may additionally use `scope:testing` and `type:tooling` (the rule has no per-file option).
/** @type {DepConstraint[]} */
const testDepConstraints = depConstraints.map(({ sourceTag, onlyDependOnLibsWithTags }) => ({
  sourceTag,
  onlyDependOnLibsWithTags: [...new Set([...onlyDependOnLibsWithTags, 'scope:testing', 'type:tooling'])],
}));

export default defineConfig(
  ...nx.configs['flat/base'], // registers the `@nx` plugin
  { ignores: ['**/node_modules/**', '**/dist/**', '**/.cache/**', '**/coverage/**', '.nx/**', 'jest.config.js', 'eslint.config.mjs'] },
  {
    files: sourceFiles,
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { '@typescript-eslint': tseslint.plugin },
    rules: {
      '@nx/enforce-module-boundaries': boundaries(depConstraints),
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  {
    files: testFiles,
    rules: {
      '@nx/enforce-module-boundaries': boundaries(testDepConstraints),
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  {
    files: ['libs/dev-kafka/**/*.ts', 'scripts/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
  // SQL only through parameters (docs/reliability.md): the text of every `.query(…)` and
  // `queryRows(…)` is constant text and quoted identifiers; values go in $1, $2, …. The helpers
  // listed return only quoteIdentifier() output (reviewed: libs/persistence/src/data-source.ts,
  // apps/projection-service/src/read-model/read-model.ts, apps/projection-service/src/migrations/schema-of.ts).
  // Tests are left out: their SQL is the tests' own, never built from a request.
  {
    files: sourceFiles,
    ignores: testFiles,
    plugins: { omni: omni.plugin },
    rules: {
      'omni/sql-parameters': ['error', { identifierHelpers: ['quoteIdentifier', 'readModelTables', 'schemaOf'] }],
    },
  },
  // tools/ (the rule's own spec) is outside tsconfig.json: parsed as TypeScript, without type information.
  {
    files: ['tools/**/*.ts'],
    languageOptions: { parser: tseslint.parser },
    plugins: { '@typescript-eslint': tseslint.plugin },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
);
