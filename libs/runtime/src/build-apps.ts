import { execFileSync } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../../..');

/**
 * Compile every app and the libs it uses into dist/ (the Nx `build` targets; cached, so a second
 * call with nothing changed takes about a second). Whoever starts apps calls it first: `npm start`,
 * the benchmark, the test run's global setup. Throws with Nx's output when a build fails.
 */
export function buildApps(): void {
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
}
