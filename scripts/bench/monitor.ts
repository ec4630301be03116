/**
 * What the runner watches while the load runs: how far behind the pipeline is (Kafka admin API and
 * the database), how many messages the topics received, and the memory and CPU of every process
 * (PostgreSQL's CPU included).
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { Admin, Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';

export interface PipelineBacklog {
  consumerLag: number;
  outboxBacklog: number;
  unprojectedCommands: number;
}

/**
 * The pipeline's backlog, read from outside the apps:
 * - consumer lag: for every consumer group of the broker (but the replay's), end offset minus
 *   committed offset of each partition it consumes;
 * - outbox backlog: rows of every schema's outbox not yet published;
 * - unprojected commands: commands the gateway recorded since a given time whose outcome the
 *   projection has not recorded yet (the end-to-end view of an asynchronous write).
 */
export class PipelineMonitor {
  private readonly admin: Admin;
  private readonly db: Client;
  private outboxQuery = 'SELECT 0 AS count';

  constructor(brokers: string[], databaseUrl: string) {
    this.admin = new Kafka({ clientId: 'bench-monitor', brokers, logLevel: logLevel.NOTHING }).admin();
    this.db = new Client({ connectionString: databaseUrl, application_name: 'bench-monitor' });
  }

  async connect(): Promise<void> {
    await Promise.all([this.admin.connect(), this.db.connect()]);
    const { rows } = await this.db.query<{ schema: string }>(
      `SELECT table_schema AS schema FROM information_schema.tables WHERE table_name = 'outbox' ORDER BY 1`,
    );
    if (rows.length > 0) {
      this.outboxQuery = `SELECT ${rows
        .map(({ schema }) => `(SELECT count(*) FROM "${schema.replace(/"/g, '""')}".outbox WHERE published_at IS NULL)`)
        .join(' + ')} AS count`;
    }
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.admin.disconnect(), this.db.end()]);
  }

  /** The database's clock now (command times are compared with it, not with ours). */
  async databaseNow(): Promise<Date> {
    const { rows } = await this.db.query<{ now: Date }>('SELECT clock_timestamp() AS now');
    return rows[0].now;
  }

  async backlog(commandsSince: Date): Promise<PipelineBacklog> {
    const [consumerLag, outbox, unprojected] = await Promise.all([
      this.consumerLag(),
      this.db.query<{ count: string }>(this.outboxQuery),
      this.db.query<{ count: string }>(
        `SELECT count(*) AS count FROM gateway.commands c
          WHERE c.created_at >= $1
            AND NOT EXISTS (SELECT 1 FROM projection.command_outcomes o WHERE o.command_id = c.command_id)`,
        [commandsSince],
      ),
    ]);
    return { consumerLag, outboxBacklog: Number(outbox.rows[0].count), unprojectedCommands: Number(unprojected.rows[0].count) };
  }

  /** Outcomes the projection recorded for the commands sent since a time: accepted, rejected (and why). */
  async outcomesSince(since: Date): Promise<{ accepted: number; rejected: Record<string, number> }> {
    const { rows } = await this.db.query<{ status: string; code: string | null; count: string }>(
      `SELECT o.status, o.error->>'code' AS code, count(*) AS count
         FROM gateway.commands c JOIN projection.command_outcomes o ON o.command_id = c.command_id
        WHERE c.created_at >= $1 GROUP BY 1, 2`,
      [since],
    );
    const rejected: Record<string, number> = {};
    let accepted = 0;
    for (const row of rows) {
      if (row.status === 'accepted') accepted += Number(row.count);
      else rejected[row.code ?? 'unknown'] = (rejected[row.code ?? 'unknown'] ?? 0) + Number(row.count);
    }
    return { accepted, rejected };
  }

  /** Sum of (end offset − committed offset) over every consumer group and partition. */
  async consumerLag(): Promise<number> {
    const { groups } = await this.admin.listGroups();
    // End offsets once per topic and reading, shared by the groups that consume it.
    const ends = new Map<string, Promise<Map<number, { low: number; high: number }>>>();
    const endsOf = (topic: string) => {
      let offsets = ends.get(topic);
      if (!offsets) {
        offsets = this.admin
          .fetchTopicOffsets(topic)
          .then((list) => new Map(list.map((o) => [o.partition, { low: Number(o.low), high: Number(o.high) }])));
        ends.set(topic, offsets);
      }
      return offsets;
    };
    const lags = await Promise.all(
      groups
        .filter(({ groupId }) => !groupId.startsWith('projection-replay-') && !groupId.startsWith('bench-'))
        .map(async ({ groupId }) => {
          let lag = 0;
          for (const { topic, partitions } of await this.admin.fetchOffsets({ groupId })) {
            const offsets = await endsOf(topic);
            for (const { partition, offset } of partitions) {
              const end = offsets.get(partition);
              if (!end) continue;
              const committed = Number(offset) < 0 ? end.low : Number(offset);
              lag += Math.max(0, end.high - committed);
            }
          }
          return lag;
        }),
    );
    const lag = lags.reduce((sum, value) => sum + value, 0);
    return lag;
  }

  /** Messages in every topic (sum of end offsets, internal topics left out), to count what a phase appended. */
  async messagesInTopics(filter: (topic: string) => boolean = () => true): Promise<number> {
    const topics = (await this.admin.listTopics()).filter((topic) => !topic.startsWith('__') && filter(topic));
    const perTopic = await Promise.all(
      topics.map(async (topic) => (await this.admin.fetchTopicOffsets(topic)).reduce((sum, { high, low }) => sum + Number(high) - Number(low), 0)),
    );
    return perTopic.reduce((sum, value) => sum + value, 0);
  }
}

/** Peak and current resident set size of a process from /proc (Linux), in MiB; null if it is gone. */
export function readRss(pid: number): { peakMiB: number; currentMiB: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
    return { peakMiB: kib('VmHWM') / 1024, currentMiB: kib('VmRSS') / 1024 };
  } catch {
    return null;
  }
}

/** Linux's USER_HZ: /proc reports CPU times in ticks of 1/100 s on every mainstream kernel. */
const CLOCK_TICKS_PER_SECOND = 100;

interface ProcStat {
  command: string;
  parentPid: number;
  /** utime + stime, seconds. */
  cpuSeconds: number;
  /** cutime + cstime, seconds: the CPU of its children that exited and were waited for. */
  reapedChildrenCpuSeconds: number;
}

/** /proc/PID/stat, the fields this file needs; null if the process is gone. */
function readStat(pid: number | string, procDir = '/proc'): ProcStat | null {
  try {
    const stat = readFileSync(path.join(procDir, String(pid), 'stat'), 'utf8');
    // Fields after the command name (which may hold spaces): state is field 3, ppid 4, utime 14, stime 15, cutime 16, cstime 17.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return {
      command: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')),
      parentPid: Number(fields[1]),
      cpuSeconds: (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND,
      reapedChildrenCpuSeconds: (Number(fields[13]) + Number(fields[14])) / CLOCK_TICKS_PER_SECOND,
    };
  } catch {
    return null;
  }
}

/** CPU time (user + system) a process has used so far, in seconds, from /proc (Linux); null if it is gone. */
export function readCpuSeconds(pid: number): number | null {
  return readStat(pid)?.cpuSeconds ?? null;
}

/**
 * CPU time (user + system) the local PostgreSQL server has used so far, in seconds, from /proc (Linux):
 * every live `postgres` process, plus what the postmaster's backends that already exited used (its
 * reaped children's time). Null if no `postgres` process could be read.
 */
export function readPostgresCpuSeconds(procDir = '/proc'): number | null {
  let pids: string[];
  try {
    pids = readdirSync(procDir).filter((name) => /^\d+$/.test(name));
  } catch {
    return null;
  }
  const postgres = new Map<number, ProcStat>();
  for (const pid of pids) {
    const stat = readStat(pid, procDir);
    if (stat?.command === 'postgres') postgres.set(Number(pid), stat);
  }
  if (postgres.size === 0) return null;
  let seconds = 0;
  for (const stat of postgres.values()) {
    seconds += stat.cpuSeconds;
    // The postmaster (its parent is no postgres process) reaps the backends.
    if (!postgres.has(stat.parentPid)) seconds += stat.reapedChildrenCpuSeconds;
  }
  return seconds;
}

/**
 * Whether a database URL points at a server on this machine (its processes are in our /proc): only
 * then does readPostgresCpuSeconds measure it, rather than some other local server or none.
 */
export function isLocalDatabase(databaseUrl: string): boolean {
  const url = new URL(databaseUrl);
  const host = url.searchParams.get('host') ?? url.hostname;
  return host === '' || host.startsWith('/') || /^(localhost|127(\.\d{1,3}){3}|\[::1\]|::1)$/i.test(host);
}

/**
 * Watches named processes: polls their peak RSS (VmHWM) once a second and keeps the largest seen,
 * so that a process that exits (the replay) keeps its figure; reads their CPU time on demand.
 */
export class ProcessSampler {
  private readonly peaks = new Map<string, { pid: number; peakMiB: number | null }>();
  private timer?: NodeJS.Timeout;

  track(name: string, pid: number | undefined): void {
    if (pid === undefined) {
      this.peaks.set(name, { pid: -1, peakMiB: null });
      return;
    }
    this.peaks.set(name, { pid, peakMiB: this.peaks.get(name)?.peakMiB ?? null });
    this.sample();
  }

  start(intervalMs = 1_000): void {
    this.timer ??= setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    this.sample();
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  sample(): void {
    for (const [, entry] of this.peaks) {
      if (entry.pid < 0) continue;
      const rss = readRss(entry.pid);
      if (rss && Number.isFinite(rss.peakMiB)) entry.peakMiB = Math.max(entry.peakMiB ?? 0, rss.peakMiB);
    }
  }

  /** CPU seconds used so far by each process still running. */
  cpuSeconds(): Map<string, number> {
    const cpu = new Map<string, number>();
    for (const [name, entry] of this.peaks) {
      const seconds = entry.pid < 0 ? null : readCpuSeconds(entry.pid);
      if (seconds !== null && Number.isFinite(seconds)) cpu.set(name, seconds);
    }
    return cpu;
  }

  results(): { process: string; pid: number | null; peakRssMiB: number | null }[] {
    return [...this.peaks].map(([name, entry]) => ({ process: name, pid: entry.pid < 0 ? null : entry.pid, peakRssMiB: entry.peakMiB }));
  }
}
