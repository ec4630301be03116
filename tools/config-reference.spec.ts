/**
 * The README's "Configuration" section is the reference of every environment variable: this test
 * reads the code (apps, libs, scripts — tests included), docker-compose.yml and the Dockerfile for
 * every variable they read, and fails naming any the README does not list.
 */
import { readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..');

/** Variables of the system, not of this platform. */
const NOT_OURS = new Set(['PATH', 'HOME', 'NODE_ENV']);

/** Unit tests of the config loader declare pretend variables (SIGNING_KEY) on purpose. */
const PRETEND = new Set(['libs/config/src/load-config.spec.ts', 'libs/config/src/load-config.import-order.spec.ts']);

function sourceFiles(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const relative = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' || entry.name.startsWith('.') ? [] : sourceFiles(relative);
    return /\.(ts|js|cjs|mjs)$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [relative] : [];
  });
}

/** Where each variable is read: `process.env.X`, `process.env['X']`, `process.env[CONSTANT]`, `env.X`, commander's `.env('X')`, config-class keys. */
export function variablesReadBy(file: string, text: string): Map<string, string> {
  const found = new Map<string, string>();
  const add = (name: string) => {
    if (!NOT_OURS.has(name) && !found.has(name)) found.set(name, file);
  };
  for (const [, name] of text.matchAll(/\bprocess\.env\.([A-Z][A-Z0-9_]*)\b/g)) add(name);
  for (const [, name] of text.matchAll(/\bprocess\.env\[\s*['"`]([A-Z][A-Z0-9_]*)['"`]\s*\]/g)) add(name);
  for (const [, constant] of text.matchAll(/\bprocess\.env\[\s*([A-Z][A-Z0-9_]*)\s*\]/g)) {
    const value = new RegExp(`\\b${constant}\\s*=\\s*['"\`]([A-Z][A-Z0-9_]*)['"\`]`).exec(text);
    if (!value) throw new Error(`${file}: process.env[${constant}] reads a variable this test cannot name`);
    add(value[1]);
  }
  for (const [, name] of text.matchAll(/(?<![.\w])env\.([A-Z][A-Z0-9_]*)\b/g)) add(name);
  for (const [, name] of text.matchAll(/\.env\(\s*['"`]([A-Z][A-Z0-9_]*)['"`]\s*\)/g)) add(name);
  // A configuration class (`class X extends CommonConfig`, or CommonConfig itself): its upper-case properties are variables.
  for (const [, body] of text.matchAll(/class \w+(?: extends CommonConfig)?\s*\{([\s\S]*?)\n\}/g)) {
    if (!/class CommonConfig\b|extends CommonConfig\b/.test(text)) break;
    for (const [, name] of body.matchAll(/^\s+(?:override\s+)?(?:readonly\s+)?([A-Z][A-Z0-9_]*)[!?]?\s*:/gm)) add(name);
  }
  return found;
}

/** Variables the Docker files take from the operator: compose's `${X}` interpolations, the Dockerfile's ARGs. */
function dockerVariables(): Map<string, string> {
  const found = new Map<string, string>();
  for (const [, name] of readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8').matchAll(/\$\{([A-Z][A-Z0-9_]*)/g)) found.set(name, 'docker-compose.yml');
  for (const [, name] of readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8').matchAll(/^ARG\s+([A-Z][A-Z0-9_]*)/gm)) found.set(name, 'Dockerfile');
  return found;
}

/** The names in the first column of the tables of the README's "Configuration" section. */
function documented(): Set<string> {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('\n## Configuration\n');
  if (start < 0) throw new Error('README.md has no "## Configuration" section');
  const next = readme.indexOf('\n## ', start + 1);
  const section = readme.slice(start, next < 0 ? undefined : next);
  const names = new Set<string>();
  for (const [, cell] of section.matchAll(/^\|\s*([^|]*?)\s*\|/gm)) {
    for (const [, name] of cell.matchAll(/`([A-Z][A-Z0-9_]*)`/g)) names.add(name);
  }
  return names;
}

function everyVariableRead(): Map<string, string> {
  const all = new Map<string, string>();
  for (const file of ['apps', 'libs', 'scripts'].flatMap(sourceFiles)) {
    if (PRETEND.has(file)) continue;
    for (const [name, where] of variablesReadBy(file, readFileSync(path.join(ROOT, file), 'utf8'))) if (!all.has(name)) all.set(name, where);
  }
  for (const [name, where] of dockerVariables()) if (!all.has(name)) all.set(name, where);
  return all;
}

describe('README "Configuration" lists every environment variable the code reads', () => {
  it('finds the reads of every kind (the scan is not blind)', () => {
    const read = everyVariableRead();
    // One of each kind: process.env.X, a config class key, commander's .env(), process.env[CONSTANT], env.X, compose, Dockerfile.
    for (const name of ['DATABASE_URL', 'RATE_LIMIT_BURST', 'RECIPIENT_VERIFICATION_TTL_MINUTES', 'GATEWAY_URL', 'OMNI_TEST_RUN_ID', 'ADMIN_SECRET', 'POSTGRES_PASSWORD', 'APP']) {
      expect({ name, found: read.has(name) }).toEqual({ name, found: true });
    }
    expect(variablesReadBy('x.ts', "const V = 'ONE'; process.env[V]; process.env.TWO; env.THREE; x.env('FOUR'); process.env['FIVE']")).toEqual(
      new Map(['TWO', 'FIVE', 'ONE', 'THREE', 'FOUR'].map((name) => [name, 'x.ts'])),
    );
    expect([...variablesReadBy('c.ts', 'class A extends CommonConfig {\n  @IsInt()\n  override PORT: number = 1;\n  SECRET_X!: string;\n  lower = 1;\n}').keys()]).toEqual(['PORT', 'SECRET_X']);
  });

  it('has a row for each of them', () => {
    const listed = documented();
    const missing = [...everyVariableRead()].filter(([name]) => !listed.has(name)).map(([name, where]) => `${name} (read in ${where})`);
    expect(missing).toEqual([]);
  });
});
