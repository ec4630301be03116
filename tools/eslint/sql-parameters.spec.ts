import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Linter } from 'eslint';
import tseslint from 'typescript-eslint';
import { plugin } from './sql-parameters.cjs';

const ROOT = path.resolve(__dirname, '../..');
const RULE = 'omni/sql-parameters';
const HELPERS = { identifierHelpers: ['quoteIdentifier', 'readModelTables'] };

const PRELUDE = `
declare function quoteIdentifier(name: string): string;
declare function readModelTables(schema: string): { users: string; devices: string };
declare function queryRows<T>(db: unknown, sql: string, parameters?: unknown[]): Promise<T[]>;
declare const db: { query(sql: string, parameters?: unknown[]): Promise<unknown> };
`;

/** The messages of the rule on `code` (syntax only: no type information). */
function lint(code: string): Linter.LintMessage[] {
  const linter = new Linter({ configType: 'flat' });
  const messages = linter.verify(
    `${PRELUDE}${code}`,
    [{ files: ['**/*.ts'], languageOptions: { parser: tseslint.parser }, plugins: { omni: plugin }, rules: { [RULE]: ['error', HELPERS] } }],
    'probe.ts',
  );
  return checked(messages);
}

/** The messages, once sure the probe was parsed and linted (not skipped, not a syntax error). */
function checked(messages: Linter.LintMessage[]): Linter.LintMessage[] {
  const broken = messages.find((message) => message.ruleId === null);
  if (broken) throw new Error(`probe not linted: ${broken.message}`);
  return messages;
}

const reported = (code: string) => lint(code).map((message) => message.ruleId);

/** The files of the typed-linting project, each importing constants and variables from its neighbours. */
const TYPED_PROBES = {
  'accepted.ts': [
    'export async function f(i: number, tables: Tables) {',
    "  await db.query(`INSERT INTO t (topic) VALUES ('${Topics.snapshots}')`);",
    '  await db.query(`SELECT ${COLUMNS} FROM t OFFSET $${i + 1}`);',
    '  await db.query(`SELECT * FROM ${tables.users}`);',
    '}',
  ].join('\n'),
  'refused.ts': [
    'export async function f(id: string) {',
    '  await db.query(`SELECT * FROM t WHERE a = ${mutable}`);',
    "  await db.query(`SELECT * FROM t WHERE id = ${id as 'constant'}`);",
    '}',
  ].join('\n'),
} as const;

const typedSource = (code: string) =>
  `import { db, queryRows, quoteIdentifier, readModelTables } from './prelude';\nimport { COLUMNS, Tables, Topics, mutable } from './constants';\nvoid [db, queryRows, quoteIdentifier, readModelTables, COLUMNS, Topics, mutable];\n${code}\n`;

describe('omni/sql-parameters (SQL only through parameters)', () => {
  describe('refuses a value in the SQL text', () => {
    it.each([
      ['an interpolated parameter', "async function f(id: string) { await db.query(`SELECT * FROM t WHERE id = '${id}'`); }"],
      ['a concatenated parameter', "async function f(id: string) { await db.query('SELECT * FROM t WHERE id = ' + id); }"],
      ['text concatenated after a constant', "const BASE = 'SELECT * FROM t WHERE id = '; async function f(id: string) { await db.query(BASE + id); }"],
      ['the SQL argument of queryRows (its second)', 'async function f(name: string) { await queryRows(db, `SELECT * FROM t WHERE name = ${name}`); }'],
      ['a const that holds built text', 'async function f(id: string) { const sql = `DELETE FROM t WHERE id = ${id}`; await db.query(sql, []); }'],
      ['either branch of a choice', "async function f(id: string, all: boolean) { await db.query(all ? 'SELECT 1' : `SELECT ${id}`); }"],
      ['a call other than an identifier helper', "async function f(ids: string[]) { await db.query(`SELECT * FROM t WHERE id IN (${ids.join(', ')})`); }"],
      ['a field that is not readonly', 'class S { table = quoteIdentifier("t"); async f() { await db.query(`SELECT * FROM ${this.table}`); } }'],
      [
        'a readonly field assigned a value',
        'class S { private readonly table: string; constructor(name: string) { this.table = name; } async f() { await db.query(`SELECT * FROM ${this.table}`); } }',
      ],
      ['any `.query(` receiver (pg, TypeORM)', 'async function f(runner: { query(s: string): Promise<void> }, v: string) { await runner.query(`SET x = ${v}`); }'],
      ['a computed member of an ordinary object', 'async function f(o: Record<string, string>, k: string) { await db.query(`SELECT * FROM ${o[k]}`); }'],
    ])('%s', (_case, code) => {
      expect(reported(code)).toEqual([RULE]);
    });

    it('names the offending part and the way out', () => {
      const [message] = lint('async function f(userId: string) { await db.query(`SELECT * FROM t WHERE user_id = ${userId}`); }');
      expect(message.message).toContain('`userId`');
      expect(message.message).toContain('quoteIdentifier()');
      expect(message.message).toContain('eslint-disable-next-line omni/sql-parameters -- ');
    });
  });

  describe('accepts constant text, parameters and quoted identifiers', () => {
    it.each([
      ['a literal with parameters', "async function f(id: string) { await db.query('SELECT * FROM t WHERE id = $1', [id]); }"],
      ['a template literal without expressions', 'async function f() { await db.query(`SELECT 1`); }'],
      ['a quoted identifier', 'async function f(schema: string) { await db.query(`CREATE SCHEMA ${quoteIdentifier(schema)}`); }'],
      ['a const holding a quoted identifier', 'async function f(schema: string) { const s = quoteIdentifier(schema); await db.query(`SELECT * FROM ${s}.outbox`); }'],
      ['a const of constant text, used twice', "const COLUMNS = 'a, b'; async function f() { await db.query(`SELECT ${COLUMNS} FROM t UNION SELECT ${COLUMNS} FROM u`); }"],
      ['a choice between constants', "async function f(m: boolean) { const column = m ? 'master' : 'sdk'; await db.query(`UPDATE t SET ${column} = $1`, [1]); }"],
      [
        'a readonly field assigned a quoted identifier in the constructor',
        'class S { private readonly table: string; constructor(schema: string) { this.table = `${quoteIdentifier(schema)}.outbox`; } async f() { await db.query(`SELECT * FROM ${this.table}`); } }',
      ],
      ['a property of what an identifier helper returns', 'async function f(schema: string) { const t = readModelTables(schema); await db.query(`LOCK TABLE ${t.users}, ${readModelTables(schema).devices}`); }'],
      ['arithmetic (placeholder numbers)', 'async function f(i: number) { await db.query(`SELECT $${i * 2}`); }'],
      ['SQL the rule cannot look into (a parameter)', 'async function f(sql: string) { await db.query(sql); }'],
      ['template literals given to other calls', 'declare const log: { query(n: number): void; info(s: string): void }; function f(id: string) { log.info(`id ${id}`); }'],
    ])('%s', (_case, code) => {
      expect(reported(code)).toEqual([]);
    });

    it('a reviewed exception is written where it happens, with its reason', () => {
      const code = "async function f(rows: string[]) {\n  // eslint-disable-next-line omni/sql-parameters -- placeholders only: ($1, $2), …\n  await db.query(`INSERT INTO t VALUES ${rows.join(', ')}`);\n}";
      expect(reported(code)).toEqual([]);
    });
  });

  describe('with type information', () => {
    let dir: string;

    beforeAll(() => {
      dir = mkdtempSync(path.join(tmpdir(), 'sql-parameters-'));
      writeFileSync(
        path.join(dir, 'tsconfig.json'),
        JSON.stringify({ compilerOptions: { strict: true, target: 'ES2022', module: 'commonjs', types: [], noEmit: true }, include: ['*.ts'] }),
      );
      writeFileSync(path.join(dir, 'prelude.ts'), `${PRELUDE}\nexport { quoteIdentifier, readModelTables, queryRows, db };\n`);
      writeFileSync(
        path.join(dir, 'constants.ts'),
        [
          "export const Topics = { snapshots: 'profile.snapshots' } as const;",
          "export const COLUMNS = `a, b, c`;",
          "export let mutable = 'a';",
          "import { readModelTables } from './prelude';",
          'export type Tables = ReturnType<typeof readModelTables>;',
        ].join('\n'),
      );
      // Every probe is written before the first lint: under CI, typescript-eslint builds the
      // program once (single-run mode) and would not see a file written later.
      for (const [name, code] of Object.entries(TYPED_PROBES)) writeFileSync(path.join(dir, name), typedSource(code));
    });

    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    /** The rule's messages on probe `name` of the small TypeScript project (typed linting). */
    function lintTyped(name: keyof typeof TYPED_PROBES): Linter.LintMessage[] {
      const file = path.join(dir, name);
      const source = typedSource(TYPED_PROBES[name]);
      const linter = new Linter({ configType: 'flat', cwd: dir });
      const messages = linter.verify(
        source,
        [
          {
            files: ['**/*.ts'],
            languageOptions: { parser: tseslint.parser, parserOptions: { project: './tsconfig.json', tsconfigRootDir: dir } },
            plugins: { omni: plugin },
            rules: { [RULE]: ['error', HELPERS] },
          },
        ],
        file,
      );
      return checked(messages);
    }

    it('accepts imported constants, numbers and the objects an identifier helper returns', () => {
      expect(lintTyped('accepted.ts')).toEqual([]);
    });

    it('refuses an imported variable, and a cast does not launder a value', () => {
      expect(lintTyped('refused.ts').map((message) => [message.ruleId, message.line])).toEqual([
        [RULE, 5],
        [RULE, 6],
      ]);
    });
  });

  it(
    'is on in the repository configuration for production code',
    async () => {
      const probe = "import { DataSource } from 'typeorm';\nexport const f = (db: DataSource, id: string) => db.query(`SELECT * FROM t WHERE id = '${id}'`);\n";
      // Linted as if it were this (existing) production file; nothing is written to it.
      const { stdout } = await lintStdin(probe, 'libs/persistence/src/query-rows.ts');
      const [result] = JSON.parse(stdout) as { messages: { ruleId: string | null; fatal?: boolean; message: string }[] }[];
      expect(result.messages.map((message) => message.ruleId)).toEqual([RULE]);
    },
    120_000,
  );
});

/** `eslint --stdin` with the repository's own eslint.config.mjs (ESM: jest cannot import it in-process). */
async function lintStdin(code: string, filename: string): Promise<{ stdout: string }> {
  const running = promisify(execFile)(
    process.execPath,
    [path.join(ROOT, 'node_modules/eslint/bin/eslint.js'), '--stdin', '--stdin-filename', filename, '-f', 'json'],
    { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 },
  );
  running.child.stdin?.end(code);
  try {
    return await running;
  } catch (error) {
    // Exit code 1 = problems found: that is what the test looks for.
    const { code: exitCode, stdout } = error as { code?: number; stdout?: string };
    if (exitCode === 1 && stdout) return { stdout };
    throw error;
  }
}
