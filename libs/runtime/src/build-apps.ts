import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../../..');
/** Touched after every build, with the time the build started: newer than every input, nothing to do. */
const STAMP = path.join(ROOT, 'dist', '.built');
/** What a build reads besides the projects' folders. */
const SHARED_INPUTS = ['.swcrc.build.json', 'tsconfig.base.json', 'nx.json', 'package-lock.json'];

/**
 * Compile every app and the libs it uses into dist/ (the Nx `build` targets, cached). Whoever starts
 * apps calls it first: `npm start`, the benchmark, the test run's global setup.
 *
 * When no source is newer than the last build it does not run Nx at all: Nx (without its daemon)
 * restores cached outputs by deleting and copying them, and an app starting meanwhile — a test's,
 * while the npm start e2e test builds — would find a module missing. Throws with Nx's output when a
 * build fails.
 */
export function buildApps(): void {
  const startedAt = new Date();
  if (existsSync(STAMP) && statSync(STAMP).mtimeMs >= newestInput()) return;
  try {
    execFileSync(path.join(ROOT, 'node_modules', '.bin', 'nx'), ['run-many', '-t', 'build', '--projects=tag:type:app', '--output-style=static'], {
      cwd: ROOT,
      // No daemon left behind by a one-off build.
      env: { ...process.env, NX_DAEMON: 'false' },
      stdio: 'pipe',
    });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: Buffer; stderr?: Buffer };
    throw new Error(`building the apps failed (npm run build):\n${stdout?.toString() ?? ''}${stderr?.toString() ?? ''}`);
  }
  writeFileSync(STAMP, '');
  utimesSync(STAMP, startedAt, startedAt);
}

/** The modification time of the newest file the build reads (apps/, libs/, the shared configuration). */
function newestInput(): number {
  let newest = Math.max(...SHARED_INPUTS.map((file) => statSync(path.join(ROOT, file)).mtimeMs));
  const visit = (directory: string) => {
    for (const entry of readdirSync(directory, { withFileTypes: true })) {
      const file = path.join(directory, entry.name);
      if (entry.isDirectory()) visit(file);
      else newest = Math.max(newest, statSync(file).mtimeMs);
    }
  };
  visit(path.join(ROOT, 'apps'));
  visit(path.join(ROOT, 'libs'));
  return newest;
}
