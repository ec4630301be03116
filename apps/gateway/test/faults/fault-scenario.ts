import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_CHANNEL_LIMITS, MAX_CHANNELS_PER_USER } from '@omni/contracts';
import { ApiClient, ApplicationCredentials, createApplication, waitFor } from '@omni/testing';
import { FaultStack, InstanceId, SERVICE_APPS } from './fault-stack';
import { prepareOversizedWrites, sendOversizedWrites } from './oversized-writes';
import { PhaseFindings, verifyWrites, waitUntilDrained } from './verify';
import { LoadOptions, WriteLoad } from './write-load';

export interface FaultSuiteConfig {
  /** Each round injects every fault once. */
  rounds: number;
  /** By round (cycled): `each` = kill -9 the services one at a time (a phase each); `together` = all four in one phase. */
  serviceKills: ('each' | 'together')[];
  /** How the broker goes down, by round (cycled): `clean` = SIGTERM, `crash` = SIGKILL. */
  kafkaStops: ('clean' | 'crash')[];
  /** How PostgreSQL goes down, by round (cycled): `fast` = a clean restart, `immediate` = a crash. */
  postgresStops: ('fast' | 'immediate')[];
  load: LoadOptions;
  /** Load runs this long before each fault… */
  beforeFaultMs: number;
  /** …and this long after the system answers writes again. */
  afterRecoveryMs: number;
  /** How long a stopped component stays down before it is started again. */
  downMs: number;
  /** Bound for the system to drain (lag 0, outboxes empty) after each phase. */
  drainTimeoutMs: number;
  /** Bound for writes to be acknowledged again after a fault. */
  recoveryTimeoutMs: number;
  /** Everything the suite started is stopped after this long, whatever happens. */
  maxLifetimeMs: number;
}

export interface FaultPhase {
  name: string;
  /** Break something and bring it back; returns a note for the report. */
  inject(stack: FaultStack, load: WriteLoad, config: FaultSuiteConfig): Promise<string>;
}

/** One line of the report. */
export interface PhaseReport extends PhaseFindings {
  fault: string;
  sent: number;
  acknowledged: number;
  /** Acknowledged with 202 (accepted, not yet visible when the gateway's wait ran out). */
  pending: number;
  retried: number;
  failed: number;
  rejected: number;
  recoveryMs: number;
  drainedMs: number;
  note: string;
  unexpectedExits: string[];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function killAndRestart(ids: InstanceId[], label: string): FaultPhase {
  return {
    name: label,
    async inject(stack, _load, config) {
      await Promise.all(ids.map((id) => stack.stopInstance(id, 'SIGKILL')));
      await sleep(config.downMs);
      await Promise.all(ids.map((id) => stack.startInstance(id)));
      return '';
    },
  };
}

function restartKafka(mode: 'clean' | 'crash'): FaultPhase {
  return {
    name: mode === 'clean' ? 'stop + restart the Kafka broker' : 'kill -9 + restart the Kafka broker',
    async inject(stack, _load, config) {
      const started = Date.now();
      await stack.stopKafka(mode);
      await sleep(config.downMs);
      await stack.startKafka();
      return `broker down ${((Date.now() - started) / 1000).toFixed(1)} s`;
    },
  };
}

function restartPostgres(mode: 'fast' | 'immediate'): FaultPhase {
  return {
    name: `restart PostgreSQL (${mode === 'fast' ? 'clean' : 'crash'})`,
    async inject(stack, _load, config) {
      const started = Date.now();
      await stack.stopPostgres(mode);
      await sleep(config.downMs);
      await stack.startPostgres();
      return `database down ${((Date.now() - started) / 1000).toFixed(1)} s`;
    },
  };
}

const killGatewayInFlight: FaultPhase = {
  name: 'kill -9 a gateway with commands in flight',
  async inject(stack, load, config) {
    const gateway = stack.gatewayUrls[0];
    // Kill it while it holds requests: they get a network error and are retried on the other gateway.
    const holding = (count: number) =>
      waitFor(() => load.inFlightOn(gateway) >= count, { timeoutMs: 10_000, intervalMs: 2, description: `${count} request(s) in flight on gateway-1` });
    await holding(2).catch(() => holding(1));
    const inFlight = load.inFlightOn(gateway);
    await stack.stopInstance('gateway-1', 'SIGKILL');
    await sleep(config.downMs);
    await stack.startInstance('gateway-1');
    return `${inFlight} request(s) in flight at the kill`;
  },
};

/** Load alone before a tenant's burst: the undisturbed latency the load's writes are held to during it. */
const UNDISTURBED_MS = 8_000;
/** The load's p99 during another tenant's burst may be at most this many times its undisturbed p99. */
const MAX_P99_RATIO = 2;

/**
 * Runs another application's burst beside the load: the load alone for a few seconds, then the
 * burst. The load's writes sent during the burst must keep their latency (p99 within
 * MAX_P99_RATIO of the seconds before) and be visible when answered (no 202); resolves with the
 * burst's result and both figures.
 */
async function besideTheLoad<T>(load: WriteLoad, burst: () => Promise<T>): Promise<{ result: T; latency: string }> {
  const undisturbedFrom = Date.now();
  await sleep(UNDISTURBED_MS);
  const burstFrom = Date.now();
  const result = await burst();
  const burstTo = Date.now();
  const before = p99(load.latenciesSentIn(undisturbedFrom, burstFrom));
  const during = p99(load.latenciesSentIn(burstFrom, burstTo));
  const latency = `the load's p99 ${during ?? '–'} ms during it, ${before ?? '–'} ms in the ${UNDISTURBED_MS / 1000} s before`;
  if (before === undefined || during === undefined) throw new Error(`too few of the load's writes to compare: ${latency}`);
  const pending = load.writes.filter((write) => write.sentAt >= burstFrom && write.sentAt < burstTo && write.httpStatus === 202).length;
  if (pending > 0) throw new Error(`${pending} of the load's writes answered 202 (not visible within the gateway's wait) during the burst`);
  if (during > MAX_P99_RATIO * before) throw new Error(`another application's writes slowed down: ${latency}`);
  return { result, latency };
}

function p99(latencies: number[]): number | undefined {
  if (latencies.length === 0) return undefined;
  const sorted = [...latencies].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)];
}

function brokerOutOfMemory(stack: FaultStack): boolean {
  return existsSync(stack.kafkaLogFile) && readFileSync(stack.kafkaLogFile, 'utf8').includes('OutOfMemoryError');
}

/**
 * One big user (#25): another application's SDK registers three times as many devices as a user may
 * hold, each with a long id and the same userID, 2 at a time, beside the suite's load, then tries the
 * refused ones again for the rest of the burst. The limit must hold exactly (the rest refused with
 * 409, no 202 or 5xx), the profile stays bounded, the broker logs no out-of-memory error, and the
 * load keeps its latency.
 */
const bigUser: FaultPhase = {
  name: 'a user driven past the channel limit by concurrent attaches',
  async inject(stack, load) {
    const url = stack.gatewayUrls[1];
    const app = await createApplication(url, stack.adminSecret, 'Big user');
    const sdk = new ApiClient(url).as(app.applicationKey, app.applicationSecret);
    const limit = DEFAULT_CHANNEL_LIMITS.devicesPerUser;
    const userID = `big-${randomUUID()}`;
    const deviceIds = Array.from({ length: limit * 3 }, (_, index) => `${String(index).padStart(4, '0')}-${'d'.repeat(95)}`);
    const attach = async (ids: string[]) => {
      const answered: number[] = [];
      for (let next = 0; next < ids.length; next += 2) {
        const answers = await Promise.all(
          ids.slice(next, next + 2).map((deviceID) => sdk.post('/device', { deviceID, platform: 'iOS', transport: 'APNS', language: 'en', userID })),
        );
        answered.push(...answers.map((answer) => answer.status));
      }
      return answered;
    };
    const { result, latency } = await besideTheLoad(load, async () => {
      const until = Date.now() + UNDISTURBED_MS;
      const first = await attach(deviceIds);
      // Past the limit, the refused attaches go on as long as the undisturbed window lasted: two windows of one length.
      const refusedIds = deviceIds.filter((_, index) => first[index] === 409);
      const again: number[] = [];
      for (let next = 0; Date.now() < until && refusedIds.length > 0; next += 2) {
        again.push(...(await attach([refusedIds[next % refusedIds.length], refusedIds[(next + 1) % refusedIds.length]])));
      }
      return { statuses: first, again };
    });
    const { statuses, again } = result;
    if (again.some((status) => status !== 409)) throw new Error(`an attach past the limit was not refused: ${again.filter((status) => status !== 409).join(',')}`);
    const accepted = statuses.filter((status) => status === 201).length;
    const refused = statuses.filter((status) => status === 409).length;
    // A 202 (not yet visible when the gateway's wait ran out) is decided all the same: the profile tells.
    const pending = statuses.filter((status) => status === 202).length;
    if (accepted + refused + pending !== deviceIds.length || accepted > limit || refused < deviceIds.length - limit - pending) {
      throw new Error(`the limit of ${limit} devices did not hold: ${accepted} accepted, ${refused} refused, ${pending} pending, others ${statuses.filter((s) => s !== 201 && s !== 409 && s !== 202).join(',')}`);
    }
    const master = new ApiClient(url).as(app.applicationKey, app.masterSecret);
    const held = await waitFor(
      async () => {
        const devices = (await master.get(`/user/foruserid/${userID}/profile`)).body.profile?.channels.push.length as number | undefined;
        return devices === limit || (pending === 0 && devices !== undefined) ? devices : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 200, description: 'the big user\'s profile' },
    );
    if (held !== limit) throw new Error(`the profile holds ${held} devices, not ${limit}`);
    if (brokerOutOfMemory(stack)) throw new Error('the broker logged an OutOfMemoryError');
    return `${deviceIds.length} attaches: ${accepted} accepted, ${refused} refused (409)${pending ? `, ${pending} answered 202` : ''}, then ${again.length} more refused; ${latency}`;
  },
};

/** The gateway's default BODY_LIMIT_BYTES, which the fault stack keeps. */
const BODY_LIMIT_BYTES = 1_048_576;

/**
 * Oversized values on every write route (#25), from another application, beside the suite's load:
 * every one refused with a 4xx (sendOversizedWrites), none taking a service or the broker down, and
 * the load keeps its latency.
 */
const oversizedValues: FaultPhase = {
  name: 'oversized values on every write route',
  async inject(stack, load) {
    const gateway = stack.gatewayUrls[1];
    const writes = await prepareOversizedWrites(gateway, stack.adminSecret, BODY_LIMIT_BYTES);
    const { result: report, latency } = await besideTheLoad(load, () => sendOversizedWrites(gateway, writes, BODY_LIMIT_BYTES, UNDISTURBED_MS));
    if (report.problems.length > 0) {
      throw new Error(`${report.problems.length} of ${report.sent} oversized writes answered wrongly:\n${report.problems.slice(0, 10).join('\n')}`);
    }
    if (brokerOutOfMemory(stack)) throw new Error('the broker logged an OutOfMemoryError');
    const statuses = [...report.statuses].sort(([a], [b]) => a - b).map(([status, count]) => `${count} × ${status || 'closed'}`).join(', ');
    return `${report.sent} oversized writes on ${report.routes} routes: ${statuses}; ${latency}; slowest: ${report.slowest.join(', ')}`;
  },
};

/**
 * The phases of a run: per round, the services killed, the broker restarted, the database restarted,
 * a gateway killed; after the first round, a big user and oversized values.
 */
export function faultPhases(config: FaultSuiteConfig): FaultPhase[] {
  const phases: FaultPhase[] = [];
  for (let round = 0; round < config.rounds; round++) {
    const suffix = config.rounds > 1 ? ` #${round + 1}` : '';
    const cycle = <T>(options: T[]): T => options[round % options.length];
    const kills =
      cycle(config.serviceKills) === 'each'
        ? SERVICE_APPS.map((app) => killAndRestart([app], `kill -9 ${app}`))
        : [killAndRestart([...SERVICE_APPS], 'kill -9 every service at once')];
    for (const phase of [
      ...kills,
      restartKafka(cycle(config.kafkaStops)),
      restartPostgres(cycle(config.postgresStops)),
      killGatewayInFlight,
    ]) {
      phases.push({ ...phase, name: `${phase.name}${suffix}` });
    }
    if (round === 0) phases.push(bigUser, oversizedValues);
  }
  return phases;
}

/**
 * The private stack, one application, the load; `runPhase` for each fault; `stop` at the end.
 * Kept apart from jest so that the short (npm test) and full (npm run test:faults) suites share it.
 */
export class FaultSuite {
  readonly reports: PhaseReport[] = [];
  private constructor(
    readonly stack: FaultStack,
    readonly app: ApplicationCredentials,
    readonly load: WriteLoad,
    private readonly config: FaultSuiteConfig,
  ) {}

  static async start(config: FaultSuiteConfig): Promise<FaultSuite> {
    const stack = await FaultStack.start({ maxLifetimeMs: config.maxLifetimeMs, logDir: process.env.FAULTS_LOG_DIR || undefined });
    try {
      const app = await createApplication(stack.gatewayUrls[0], stack.adminSecret, 'Fault suite');
      const field = await fetch(`${stack.gatewayUrls[0]}/application/userdatafields`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${app.applicationKey}:${app.masterSecret}`).toString('base64')}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ key: 'counter', label: 'Counter', type: 'number' }),
      });
      if (field.status !== 201) throw new Error(`defining the counter field: ${field.status} ${await field.text()}`);
      // The load attaches a new device or contact to its few users on most writes: the most a user may hold.
      const master = new ApiClient(stack.gatewayUrls[0]).as(app.applicationKey, app.masterSecret);
      const limits = await master.put('/application/settings', { channelLimits: { devicesPerUser: MAX_CHANNELS_PER_USER, contactsPerUser: MAX_CHANNELS_PER_USER } });
      if (limits.status !== 200) throw new Error(`raising the channel limits: ${limits.status}`);
      const load = new WriteLoad(stack.gatewayUrls, app, config.load);
      await load.setup();
      return new FaultSuite(stack, app, load, config);
    } catch (error) {
      await stack.stop();
      throw error;
    }
  }

  /** Load, fault, recovery, more load, drain, checks. Resolves with the phase's report line. */
  async runPhase(phase: FaultPhase): Promise<PhaseReport> {
    const exitsBefore = this.stack.unexpectedExits().length;
    this.stack.mark(`phase: ${phase.name}`);
    this.load.start(phase.name);
    let note = '';
    let recoveryMs = NaN;
    try {
      await sleep(this.config.beforeFaultMs);
      const faultAt = Date.now();
      note = await phase.inject(this.stack, this.load, this.config);
      await this.stack.waitAllReady();
      const readyAt = Date.now();
      // Recovered: a write sent after every app is ready again is acknowledged.
      const firstAcknowledged = await waitFor(
        () => this.load.writesOf(phase.name).find((write) => write.sentAt >= readyAt && write.status === 'acknowledged'),
        { timeoutMs: this.config.recoveryTimeoutMs, intervalMs: 20, description: `a write acknowledged after "${phase.name}"` },
      );
      recoveryMs = (firstAcknowledged.settledAt as number) - faultAt;
      this.stack.mark(`first write acknowledged after recovery (${firstAcknowledged.kind}, sent ${firstAcknowledged.sentAt - readyAt} ms after ready)`);
      await sleep(this.config.afterRecoveryMs);
    } finally {
      await this.load.stop();
    }
    this.stack.mark('load stopped');
    const drainedMs = await waitUntilDrained(this.stack, this.config.drainTimeoutMs);
    this.stack.mark('drained');
    const findings = await verifyWrites(this.stack, this.app, this.load.writes, this.load.users);
    const mine = findings.get(phase.name) ?? { found: 0, duplicates: 0, problems: [] };
    // Problems with earlier phases' writes (e.g. lost by this fault) are this phase's problems too.
    const earlier = [...findings].filter(([name]) => name !== phase.name).flatMap(([name, f]) => f.problems.map((p) => `[${name}] ${p}`));
    const writes = this.load.writesOf(phase.name);
    const report: PhaseReport = {
      fault: phase.name,
      sent: writes.length,
      acknowledged: writes.filter((w) => w.status === 'acknowledged').length,
      pending: writes.filter((w) => w.status === 'acknowledged' && w.httpStatus === 202).length,
      retried: writes.filter((w) => w.attempts > 1).length,
      failed: writes.filter((w) => w.status === 'failed' || w.status === 'in-flight').length,
      rejected: writes.filter((w) => w.status === 'rejected').length,
      found: mine.found,
      duplicates: mine.duplicates,
      problems: capped([...mine.problems, ...earlier], 25),
      recoveryMs,
      drainedMs,
      note,
      unexpectedExits: this.stack
        .unexpectedExits()
        .slice(exitsBefore)
        .map((exit) => `${exit.id} exited (${exit.code ?? exit.signal})\n${exit.tail.join('\n')}`),
    };
    this.reports.push(report);
    const logDir = process.env.FAULTS_LOG_DIR;
    if (logDir) writeFileSync(path.join(logDir, 'writes.json'), JSON.stringify(this.load.writes, null, 1));
    return report;
  }

  async stop(): Promise<void> {
    await this.load.stop().catch(() => undefined);
    await this.stack.stop();
  }
}

function capped(problems: string[], max: number): string[] {
  return problems.length <= max ? problems : [...problems.slice(0, max), `… and ${problems.length - max} more`];
}

/** The report as a markdown table (what docs/reliability.md shows). */
export function reportTable(reports: PhaseReport[]): string {
  const header = ['fault', 'sent', 'acknowledged', 'of which 202', 'retried', 'failed', 'found', 'duplicates', 'recovery (s)', 'drained (s)', 'note'];
  const rows = reports.map((r) => [
    r.fault,
    r.sent,
    r.acknowledged,
    r.pending,
    r.retried,
    r.failed + r.rejected,
    r.found,
    r.duplicates,
    Number.isNaN(r.recoveryMs) ? '—' : (r.recoveryMs / 1000).toFixed(1),
    (r.drainedMs / 1000).toFixed(1),
    r.note,
  ]);
  const total = ['**total**', ...[1, 2, 3, 4, 5, 6, 7].map((i) => rows.reduce((sum, row) => sum + Number(row[i]), 0)), '', '', ''];
  return [header, header.map(() => '---'), ...rows, total].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}
