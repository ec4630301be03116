import { execFile, execFileSync } from 'node:child_process';
import { chownSync, existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The binaries of the newest PostgreSQL installed the Debian way, or `PG_BIN`, or on the PATH. */
export function findPostgresBin(): string {
  const candidates: string[] = [];
  if (process.env.PG_BIN) candidates.push(process.env.PG_BIN);
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    const versions = readdirSync(debian).filter((name) => /^\d+$/.test(name)).sort((a, b) => Number(b) - Number(a));
    candidates.push(...versions.map((version) => path.join(debian, version, 'bin')));
  }
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) if (dir) candidates.push(dir);
  const found = candidates.find((dir) => existsSync(path.join(dir, 'initdb')) && existsSync(path.join(dir, 'pg_ctl')));
  if (!found) {
    throw new Error('the fault suite needs PostgreSQL server binaries (initdb, pg_ctl): install them or set PG_BIN');
  }
  return found;
}

/**
 * A private PostgreSQL cluster for the fault suite: its own data directory, port and socket
 * directory, so that stopping it disturbs nobody else. initdb and pg_ctl refuse to run as root:
 * as root they run as the `postgres` user (runuser), which then owns the directory.
 */
export class PgCluster {
  private readonly dataDir: string;
  private readonly logFile: string;

  private constructor(
    private readonly bin: string,
    private readonly dir: string,
    readonly port: number,
  ) {
    this.dataDir = path.join(dir, 'data');
    this.logFile = path.join(dir, 'postgres.log');
  }

  /** initdb into `dir` (an empty directory the caller made), trust auth for user postgres on loopback. */
  static async create(dir: string, port: number): Promise<PgCluster> {
    const cluster = new PgCluster(findPostgresBin(), dir, port);
    if (process.getuid?.() === 0) {
      const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
      const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
      chownSync(dir, uid, gid);
    }
    await cluster.tool('initdb', ['-D', cluster.dataDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-sync', '--no-instructions']);
    return cluster;
  }

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/omni_faults`;
  }

  async start(): Promise<void> {
    const options = [
      `-p ${this.port}`,
      `-k ${this.dir}`,
      '-c listen_addresses=127.0.0.1',
      // fsync off: a crash of PostgreSQL (not of the OS) loses nothing committed, since the WAL is
      // in the page cache; synchronous_commit stays on so a commit is in the WAL before it answers.
      '-c fsync=off',
      '-c full_page_writes=off',
      '-c shared_buffers=32MB',
      '-c max_connections=120',
    ].join(' ');
    await this.tool('pg_ctl', ['start', '-w', '-t', '60', '-D', this.dataDir, '-l', this.logFile, '-o', options]);
  }

  /** `fast`: a clean shutdown (sessions are told and cut); `immediate`: a crash, recovered from the WAL at the next start. */
  async stop(mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
    if (!this.running()) return;
    await this.tool('pg_ctl', ['stop', '-w', '-t', '60', '-m', mode, '-D', this.dataDir]);
  }

  running(): boolean {
    return this.postmasterPid() !== undefined;
  }

  /** Pid of the postmaster while the cluster runs (first line of postmaster.pid). */
  postmasterPid(): number | undefined {
    try {
      const pid = Number(readFileSync(path.join(this.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
      process.kill(pid, 0);
      return pid;
    } catch {
      return undefined;
    }
  }

  /** The command line that stops this cluster at once (for the watchdog, which has no PgCluster). */
  stopCommand(): string[] {
    return this.asPostgres(path.join(this.bin, 'pg_ctl'), ['stop', '-m', 'immediate', '-D', this.dataDir]);
  }

  logTail(lines = 30): string {
    try {
      return readFileSync(this.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }

  private async tool(name: string, args: string[]): Promise<void> {
    const [command, ...rest] = this.asPostgres(path.join(this.bin, name), args);
    try {
      await run(command, rest, { timeout: 90_000 });
    } catch (error) {
      const { stdout, stderr } = error as { stdout?: string; stderr?: string };
      throw new Error(`${name} ${args[0]} failed: ${(error as Error).message}\n${stdout ?? ''}${stderr ?? ''}\n${this.logTail()}`);
    }
  }

  private asPostgres(command: string, args: string[]): string[] {
    return process.getuid?.() === 0 ? ['runuser', '-u', 'postgres', '--', command, ...args] : [command, ...args];
  }
}
