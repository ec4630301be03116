import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { Server, createServer } from 'node:net';
import path from 'node:path';
import { TestDatabase, testDatabase, waitFor } from '@omni/testing';
import { busyPorts } from './lib/ports';

const ROOT = path.resolve(__dirname, '..');
/** gateway, 4 services, broker, controller: consecutive ports from a free base. */
const PORTS_PER_STACK = 7;

interface StartRun {
  npm: ChildProcess;
  ports: number[];
  output: string[];
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * `npm start` as a user (or a process manager) runs it: its own ports, database and broker, and
 * every way it can be ended. After each end nothing it started keeps a port.
 */
describe('npm start', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await testDatabase();
  });

  afterAll(async () => {
    await db?.drop();
  });

  /**
   * Ports below the ephemeral range (32768–60999 on Linux): a port in it may be taken at any moment
   * by an outgoing connection of another test, and would then look busy.
   */
  async function freePortBase(): Promise<number> {
    for (let attempt = 0; attempt < 50; attempt++) {
      const base = 20_000 + Math.floor(Math.random() * 12_000);
      const ports = Array.from({ length: PORTS_PER_STACK }, (_, index) => base + index);
      if ((await busyPorts(ports, '127.0.0.1')).length === 0) return base;
    }
    throw new Error('no free port range');
  }

  async function npmStart(env: Record<string, string> = {}): Promise<StartRun> {
    const base = await freePortBase();
    const ports = Array.from({ length: PORTS_PER_STACK }, (_, index) => base + index);
    const npm = spawn('npm', ['start'], {
      cwd: ROOT,
      // Its own process group: a signal in a test reaches npm alone, as from a process manager.
      detached: true,
      env: {
        ...process.env,
        KAFKA_BROKERS: '',
        PORT: String(base),
        SERVICES_PORT: String(base + 1),
        KAFKA_PORT: String(base + 5),
        DATABASE_URL: db.url,
        LOG_FORMAT: 'json',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output: string[] = [];
    for (const stream of [npm.stdout!, npm.stderr!]) stream.on('data', (chunk: Buffer) => output.push(...chunk.toString('utf8').split('\n')));
    const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => npm.once('exit', (code, signal) => resolve({ code, signal })));
    return { npm, ports, output, exit };
  }

  async function ready(run: StartRun): Promise<void> {
    await waitFor(() => run.output.some((line) => line.startsWith('[start] ready in')), { timeoutMs: 150_000, description: `npm start ready:\n${run.output.join('\n')}` });
  }

  /** Every port of the run free again, and npm's whole process tree gone. */
  async function nothingLeft(run: StartRun, tree: number[]): Promise<void> {
    let left = '';
    await waitFor(
      async () => {
        const busy = await busyPorts(run.ports, '127.0.0.1');
        const living = tree.filter(alive);
        left = `ports ${JSON.stringify(busy)}, processes ${living.map((pid) => `${pid} ${commandLine(pid).slice(0, 80)}`).join('; ')}`;
        return busy.length === 0 && living.length === 0;
      },
      { timeoutMs: 45_000, description: 'every port free and every process gone' },
    ).catch((error: Error) => {
      throw new Error(`${error.message}; left: ${left}`);
    });
  }

  it.each(['SIGTERM', 'SIGHUP', 'SIGINT'] as const)(
    '%s to npm alone stops the apps, then the broker, and it exits 0',
    async (signal) => {
      const run = await npmStart();
      await ready(run);
      const tree = descendants(run.npm.pid!);
      expect(tree.length).toBeGreaterThanOrEqual(7); // npm, its script, the broker, five apps

      process.kill(run.npm.pid!, signal);
      // SIGHUP is not forwarded by npm, which dies of it: its script notices its parent is gone.
      expect(await run.exit).toEqual(signal === 'SIGHUP' ? { code: null, signal: 'SIGHUP' } : { code: 0, signal: null });
      await nothingLeft(run, tree);
      expect(run.output.filter((line) => /"level":"(error|fatal)"/.test(line))).toEqual([]);
      expect(run.output).toContain('[start] stopped.');
    },
    240_000,
  );

  it('a SIGKILL of its script leaves nothing behind: the apps and the broker notice and stop', async () => {
    const run = await npmStart();
    await ready(run);
    const tree = descendants(run.npm.pid!);
    const script = tree.find((pid) => commandLine(pid).includes('scripts/start.ts'))!;

    process.kill(script, 'SIGKILL');
    await run.exit;
    await nothingLeft(run, tree);
  }, 240_000);

  it('with a port already in use it says which process holds it, starts nothing and exits non-zero', async () => {
    const base = await freePortBase();
    const holder = await listen(base + 2);
    try {
      const run = await npmStart({ PORT: String(base), SERVICES_PORT: String(base + 1), KAFKA_PORT: String(base + 5) });
      expect((await run.exit).code).not.toBe(0);
      expect(run.output).toContain(
        `[start] port ${base + 2} (recipient-service) is in use by pid ${process.pid}: ${commandLine(process.pid)} — is another \`npm start\` running? Stop it, or set PORT / KAFKA_PORT`,
      );
      expect(await busyPorts([base, base + 1, base + 3, base + 4, base + 5, base + 6], '127.0.0.1')).toEqual([]);
    } finally {
      holder.close();
    }
  }, 60_000);

  it('without Java it says so in one line, with the fix, and exits non-zero, having started nothing', async () => {
    // A PATH with npm, Node.js and a shell, but no java.
    const bin = mkdtempSync(path.join(tmpdir(), 'no-java-'));
    for (const command of ['npm', 'node', 'sh']) symlinkSync(realpathSync(whichSync(command)), path.join(bin, command));
    try {
      const run = await npmStart({ PATH: bin });
      expect((await run.exit).code).not.toBe(0);
      expect(run.output.filter((line) => line.startsWith('[start]'))).toEqual([
        '[start] Java 17+ is needed for the local Kafka broker and `java` was not found: install a JDK (e.g. `apt-get install openjdk-17-jdk-headless`), or set KAFKA_BROKERS to a broker you run',
      ]);
      expect(await busyPorts(run.ports, '127.0.0.1')).toEqual([]);
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  }, 60_000);

  it('with PostgreSQL unreachable it says so in one line, with the fix, and exits non-zero', async () => {
    const closed = await freePortBase();
    const run = await npmStart({ DATABASE_URL: `postgres://postgres@127.0.0.1:${closed}/omni_profiles` });
    expect((await run.exit).code).not.toBe(0);
    const said = run.output.filter((line) => line.startsWith('[start]'));
    expect(said).toEqual([
      `[start] PostgreSQL is not reachable at postgres://postgres@127.0.0.1:${closed}/omni_profiles (ECONNREFUSED): start the server, or set DATABASE_URL to one (e.g. postgres://user@host:5432/omni_profiles)`,
    ]);
    expect(run.output.filter((line) => /^\s+at /.test(line))).toEqual([]);
  }, 60_000);
});

function listen(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
  } catch {
    return '(gone)';
  }
}

/** `pid` and every process below it, from /proc's parent links. */
function descendants(pid: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone meanwhile
    }
  }
  const tree = [pid];
  for (let index = 0; index < tree.length; index++) {
    for (const [child, parent] of parents) if (parent === tree[index]) tree.push(child);
  }
  return tree;
}

function whichSync(command: string): string {
  for (const directory of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(directory, command);
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  throw new Error(`${command} not on the PATH`);
}
