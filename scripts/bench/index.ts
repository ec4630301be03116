/**
 * `npm run bench`: the whole platform under load on this machine, next to the machine's own limits.
 *
 *   npm run bench              default run, under 10 minutes
 *   npm run bench -- --quick   under 2 minutes
 *   npm run bench -- --profile CPU profiles of every app (write path), of the gateway (read path) and of the replay
 *
 * Writes docs/benchmarks.md, docs/benchmarks/latest.json and docs/benchmarks/latency-over-time.svg
 * (a profiled run writes to .cache/bench/profiled/ instead, unless --out says otherwise). See the
 * "How to run it" section that report.ts renders into docs/benchmarks.md.
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import type autocannon from 'autocannon';
import { CommanderError } from 'commander';
import path from 'node:path';
import { REPLAY_ENTRY_POINT, REPLAY_NODE_FLAGS } from '../../libs/runtime/src/app-process';
import { kafkaBaseline, pgUpsertBaseline } from './baselines';
import { chartSpec, renderSvg } from './chart';
import { hotspots, CpuProfile } from './cpu-profile';
import { AppCredentials, Recorder, UserFlows, runAutocannon, runPaced } from './load';
import { ProcessSampler, PipelineBacklog, PipelineMonitor, isLocalDatabase, readPostgresCpuSeconds } from './monitor';
import { BenchPlan, parsePlan } from './options';
import { answeredPerSecond, buildTimeline, cpuUsed, postgresCpuUsed, summarizeIdle, summarizePhase } from './phase';
import { summariseReplayOutput } from './replay-output';
import { renderReport } from './report';
import {
  AsyncPhaseResult,
  BenchResults,
  KafkaBaseline,
  LagReading,
  LoadPhaseResult,
  PgBaseline,
  ProcessProfile,
  RESULTS_SCHEMA_VERSION,
  ReplayResultSummary,
  computeRatios,
  evaluateTargets,
  formatNumber,
} from './results';
import { BenchStack, ROOT, delay, stopChild, transient, transientChildren } from './stack';
import { Sample, drainedAfter, percentile } from './stats';

const startedAt = performance.now();
const elapsed = () => ((performance.now() - startedAt) / 1000).toFixed(0).padStart(4);
const log = (message: string) => console.log(`[bench ${elapsed()}s] ${message}`);

interface MeasuredPhase {
  result: LoadPhaseResult;
  samples: Sample[];
  /** performance.now() when the load stopped. */
  endedAt: number;
}

async function main(): Promise<void> {
  let plan: BenchPlan;
  try {
    plan = parsePlan(process.argv.slice(2));
  } catch (error) {
    // --help, or a wrong option (commander has printed why).
    if (error instanceof CommanderError) process.exit(error.exitCode);
    throw error;
  }
  const runTag = randomBytes(3).toString('hex');
  const benchDir = path.join(ROOT, '.cache', 'bench');
  const profileDir = plan.profile ? path.join(benchDir, 'profiles', new Date().toISOString().replace(/[:.]/g, '-')) : undefined;
  const outDir = path.resolve(ROOT, plan.outDir === 'docs' && plan.profile ? path.join('.cache', 'bench', 'profiled') : plan.outDir);
  const notes: string[] = [...plan.notes];
  const loadAtStart = os.loadavg()[0];
  const stack = new BenchStack({
    kafkaPort: plan.kafkaPort,
    gatewayPort: plan.gatewayPort,
    firstServicePort: plan.firstServicePort,
    databaseName: plan.databaseName,
    poolSize: plan.poolSize,
    partitions: plan.partitions,
    logDir: path.join(benchDir, plan.kafkaPort === 59092 ? 'logs' : `logs-${plan.kafkaPort}`),
    profileDir,
    // One application sends all the load: the per-application rate limit would cap it at 1,000 requests/s.
    env: { RATE_LIMIT_PER_SECOND: '0' },
  });
  const memory = new ProcessSampler();
  const localDatabase = isLocalDatabase(stack.databaseUrl);
  const postgresCpuSeconds = () => (localDatabase ? readPostgresCpuSeconds() : null);
  let monitor: PipelineMonitor | undefined;

  let cleaning: Promise<void> | undefined;
  const cleanup = () =>
    (cleaning ??= (async () => {
      memory.stop();
      await monitor?.close();
      log('stopping the stack');
      for (const child of [...transientChildren]) child.kill('SIGKILL');
      await stack.stop();
      if (!plan.keepDatabase) await stack.dropDatabase().catch((error: unknown) => log(`could not drop ${plan.databaseName}: ${String(error)}`));
      log('stopped');
    })());
  const interrupted = (signal: string) => {
    log(`${signal}: stopping everything the benchmark started`);
    void cleanup().finally(() => process.exit(130));
  };
  process.once('SIGINT', () => interrupted('SIGINT'));
  process.once('SIGTERM', () => interrupted('SIGTERM'));
  process.once('exit', () => stack.killNow());

  try {
    log(`mode ${plan.mode}${plan.profile ? ', profiling' : ''}: Kafka on 127.0.0.1:${plan.kafkaPort}, database ${plan.databaseName}, gateway on ${plan.gatewayPort}`);
    // The broker starts while the database is made (PostgreSQL work only, no JVM in the way).
    await Promise.all([stack.startKafka(), stack.recreateDatabase().then(() => stack.migrate())]);
    log('Kafka up, database migrated');
    memory.track('kafka (JVM)', stack.kafkaPid);
    memory.track('load generator', process.pid);
    memory.start();
    if (postgresCpuSeconds() === null) {
      notes.push(
        `PostgreSQL's CPU was not measured: ${localDatabase ? 'no `postgres` process could be read from /proc' : "DATABASE_URL's server is not on this machine"}.`,
      );
    }

    log(`raw PostgreSQL upserts for ${plan.pgSeconds} s (pool of ${plan.poolSize})`);
    const pg = await guarded('raw PostgreSQL baseline', notes, () =>
      pgUpsertBaseline({ databaseUrl: stack.databaseUrl, poolSize: plan.poolSize, concurrency: plan.poolSize, seconds: plan.pgSeconds }),
    );
    log(`  ${formatNumber(pg?.upsertsPerSecond)} upserts/s`);
    log(`raw Kafka: ProducerPerformance and ConsumerPerformance, ${plan.kafkaRecords} records`);
    const kafka = await guarded('raw Kafka baseline', notes, () =>
      kafkaBaseline({ brokers: stack.brokers, records: plan.kafkaRecords, recordSize: plan.kafkaRecordSize, partitions: plan.partitions }),
    );
    log(`  produce ${formatNumber(kafka?.producePerSecond)} msgs/s, consume ${formatNumber(kafka?.consumePerSecond)} msgs/s`);

    await stack.createTopics();
    log('topics created; starting the apps');
    await stack.startApps();
    for (const app of stack.apps) memory.track(app.name, app.child.pid);
    monitor = new PipelineMonitor(stack.brokers, stack.databaseUrl);
    await monitor.connect();
    const setUpSince = await monitor.databaseNow();
    const credentials = await setUpApplication(stack.gatewayUrl, stack.adminSecret);
    log('stack ready');

    const flows = new UserFlows(credentials, runTag);
    const recorder = new Recorder();
    const url = stack.gatewayUrl;
    const pipeline = monitor;

    const settle = async (since: Date) => {
      const settled = await waitForDrain(pipeline, since, plan.settleWaitSeconds);
      if (!settled) log(`  (pipeline not caught up after ${plan.settleWaitSeconds} s; going on)`);
    };

    log(`idle stack, ${plan.idleSeconds} s with no traffic`);
    await settle(setUpSince);
    const stackProcesses = ['kafka (JVM)', ...stack.apps.map((app) => app.name)];
    const idleCpuBefore = memory.cpuSeconds();
    const idlePostgresBefore = postgresCpuSeconds();
    const idleStartedAt = performance.now();
    await delay(plan.idleSeconds * 1000);
    const idle = summarizeIdle(
      cpuUsed(idleCpuBefore, memory.cpuSeconds()),
      postgresCpuUsed(idlePostgresBefore, postgresCpuSeconds()),
      (performance.now() - idleStartedAt) / 1000,
      stackProcesses,
    );
    stack.assertRunning();
    log(`  ${formatNumber(idle.totalPercentOfCore)} % of a core (apps and Kafka); PostgreSQL ${formatNumber(idle.postgresPercentOfCore)} %`);

    log(`warm-up, ${plan.warmupSeconds} s`);
    let since = await pipeline.databaseNow();
    recorder.restart();
    await runAutocannon({ url, connections: Math.min(16, plan.writeConnections), seconds: plan.warmupSeconds, requests: flows.flow('read-your-writes', recorder), recorder });
    await settle(since);

    const measure = async (
      name: string,
      mode: LoadPhaseResult['mode'],
      seconds: number,
      connections: number,
      targetRate: number | null,
      run: () => Promise<autocannon.Result | autocannon.Result[]>,
    ): Promise<MeasuredPhase> => {
      const before = await pipeline.messagesInTopics();
      const cpuBefore = memory.cpuSeconds();
      const postgresBefore = postgresCpuSeconds();
      const usersBefore = mode === 'read' ? 0 : flows.usersStarted;
      recorder.restart();
      const runs = [await run()].flat();
      const endedAt = performance.now();
      const cpuAfter = memory.cpuSeconds();
      const postgresAfter = postgresCpuSeconds();
      stack.assertRunning();
      const samples = [...recorder.samples];
      const stale = recorder.stale;
      const after = await pipeline.messagesInTopics();
      const result = summarizePhase({
        name,
        mode,
        seconds,
        connections,
        targetRequestsPerSecond: targetRate,
        samples,
        rampSeconds: plan.rampSeconds,
        users: mode === 'read' ? flows.completedUsers.length || flows.usersStarted : flows.usersStarted - usersBefore,
        stale,
        kafkaMessages: after - before,
        unanswered: {
          errors: runs.reduce((sum, r) => sum + r.errors - r.timeouts, 0),
          timeouts: runs.reduce((sum, r) => sum + r.timeouts, 0),
        },
        cpuSeconds: cpuUsed(cpuBefore, cpuAfter),
        postgresCpuSeconds: postgresCpuUsed(postgresBefore, postgresAfter),
      });
      log(
        `  ${formatNumber(result.writes.rate.median)} writes/s (median), p50 ${formatNumber(result.writes.latencyMs.p50)} ms, ` +
          `p99 ${formatNumber(result.writes.latencyMs.p99)} ms; ${formatNumber(result.reads.rate.median)} reads/s, ` +
          `p99 ${formatNumber(result.reads.latencyMs.p99)} ms; failed ${result.writes.failed + result.reads.failed}, timed out ${result.writes.timedOut}, ` +
          `no answer ${result.unanswered.errors + result.unanswered.timeouts}`,
      );
      return { result, samples, endedAt };
    };

    log(`devices for the one client: registered at full speed for ${plan.oneClientSeconds} s (not measured)`);
    since = await pipeline.databaseNow();
    recorder.restart();
    await runAutocannon({ url, connections: plan.writeConnections, seconds: plan.oneClientSeconds, requests: flows.devices(recorder), recorder });
    stack.assertRunning();
    await settle(since);
    log(`  ${flows.registeredDevices.length} devices`);

    log(`one client: PUT /device/{id}/user one request after another, ${plan.oneClientSeconds} s`);
    since = await pipeline.databaseNow();
    const oneClient = await measure('read-your-writes, one client', 'read-your-writes', plan.oneClientSeconds, 1, null, () =>
      runAutocannon({ url, connections: 1, seconds: plan.oneClientSeconds, requests: flows.attachUsers(recorder), recorder }),
    );
    if (flows.reattached > 0) notes.push(`The one client went through all ${flows.registeredDevices.length} devices registered for it: ${flows.reattached} writes moved a device to a new user.`);
    await settle(since);

    if (profileDir) stack.signalApps('SIGWINCH'); // profilers on: the write path
    log(`read-your-writes writes at full speed, ${plan.rywSeconds} s, ${plan.writeConnections} connections`);
    since = await pipeline.databaseNow();
    const rywMax = await measure(`read-your-writes, full speed, ${plan.writeConnections} connections`, 'read-your-writes', plan.rywSeconds, plan.writeConnections, null, () =>
      runAutocannon({ url, connections: plan.writeConnections, seconds: plan.rywSeconds, requests: flows.flow('read-your-writes', recorder), recorder }),
    );
    await settle(since);

    // Half of the requests per second the full-speed phase got answered (its calls in the same mix).
    const halfRate = Math.max(1, Math.round(answeredPerSecond(rywMax.samples, plan.rywSeconds, plan.rampSeconds) / 2));
    const p95Seconds = (percentile(rywMax.samples.map((sample) => sample.latencyMs), 95) || 100) / 1000;
    const halfConnections = Math.min(plan.writeConnections, Math.max(10, Math.ceil(halfRate * p95Seconds * 2)));
    log(`read-your-writes at half that load: ${halfRate} requests/s, ${plan.halfLoadSeconds} s, ${halfConnections} connections`);
    since = await pipeline.databaseNow();
    const rywHalf = await measure('read-your-writes, half load', 'read-your-writes', plan.halfLoadSeconds, halfConnections, halfRate, () =>
      runPaced({ url, connections: halfConnections, seconds: plan.halfLoadSeconds, overallRate: halfRate, requests: flows.flow('read-your-writes', recorder), recorder }),
    );
    await settle(since);

    log(`read-your-writes writes at full speed, ${plan.rywWideSeconds} s, ${plan.wideWriteConnections} connections`);
    since = await pipeline.databaseNow();
    const rywWide = await measure(
      `read-your-writes, full speed, ${plan.wideWriteConnections} connections`,
      'read-your-writes',
      plan.rywWideSeconds,
      plan.wideWriteConnections,
      null,
      () => runAutocannon({ url, connections: plan.wideWriteConnections, seconds: plan.rywWideSeconds, requests: flows.flow('read-your-writes', recorder), recorder }),
    );
    await settle(since);

    log(`respond-async writes at full speed, ${plan.asyncSeconds} s, then up to ${plan.drainWaitSeconds} s for the pipeline to catch up`);
    const asyncSince = await pipeline.databaseNow();
    const lag = new LagSampler(pipeline, asyncSince);
    lag.start(1_000);
    const asyncMeasured = await measure('respond-async, full speed', 'respond-async', plan.asyncSeconds, plan.writeConnections, null, () =>
      runAutocannon({ url, connections: plan.writeConnections, seconds: plan.asyncSeconds, requests: flows.flow('respond-async', recorder), recorder }),
    );
    const loadEnded = lag.secondsAt(asyncMeasured.endedAt);
    lag.start(500);
    await lag.waitUntilDrained(plan.drainWaitSeconds, loadEnded);
    lag.stop();
    const readings = lag.readings;
    const drainSeconds = drainedAfter(readings.map((r) => ({ atMs: r.second * 1000, value: r.consumerLag + r.outboxBacklog + r.unprojectedCommands })), loadEnded * 1000);
    const consumerLagDrainSeconds = drainedAfter(readings.map((r) => ({ atMs: r.second * 1000, value: r.consumerLag })), loadEnded * 1000);
    const asyncResult: AsyncPhaseResult = {
      ...asyncMeasured.result,
      lag: readings,
      drainSeconds,
      consumerLagDrainSeconds,
      drainWaitSeconds: plan.drainWaitSeconds,
      maxConsumerLag: Math.max(0, ...readings.map((r) => r.consumerLag)),
      outcomes: null,
    };
    log(`  caught up ${drainSeconds === null ? `not within ${plan.drainWaitSeconds} s` : `${formatNumber(drainSeconds, 1)} s after the load stopped`}`);
    if (drainSeconds === null) await settle(asyncSince);
    asyncResult.outcomes = await pipeline.outcomesSince(asyncSince).catch(() => null);
    if (asyncResult.outcomes) {
      const rejected = Object.values(asyncResult.outcomes.rejected).reduce((sum, n) => sum + n, 0);
      log(`  outcomes: ${asyncResult.outcomes.accepted} accepted, ${rejected} rejected ${JSON.stringify(asyncResult.outcomes.rejected)}`);
    }

    let profiles: ProcessProfile[] = [];
    if (profileDir) {
      stack.signalApps('SIGWINCH'); // profilers off: write the write path's profiles
      profiles = await collectAppProfiles(stack, profileDir);
    }

    log(`profile reads, ${plan.readSeconds} s, ${plan.readConnections} connections, over ${flows.completedUsers.length} users`);
    if (flows.completedUsers.length === 0) notes.push('No flow was read back complete: the reads picked among every user started, some not written yet.');
    if (profileDir) stack.signalApps('SIGWINCH', ['gateway']); // the gateway's profiler on: the read path
    const reads = await measure('profile reads', 'read', plan.readSeconds, plan.readConnections, null, () =>
      runAutocannon({ url, connections: plan.readConnections, seconds: plan.readSeconds, requests: flows.reads(recorder), recorder }),
    );
    if (profileDir) {
      stack.signalApps('SIGWINCH', ['gateway']);
      profiles.push(...(await collectProfile(path.join(profileDir, 'gateway-1.cpuprofile'), 'gateway', 'read path (the profile reads phase)')));
    }

    if (plan.fillSeconds > 0) {
      log(`more events for the replay: respond-async writes for ${plan.fillSeconds} s (not measured), then up to ${plan.drainWaitSeconds} s to catch up`);
      const fillSince = await pipeline.databaseNow();
      recorder.restart();
      await runAutocannon({ url, connections: plan.writeConnections, seconds: plan.fillSeconds, requests: flows.flow('respond-async', recorder), recorder });
      stack.assertRunning();
      const accepted = recorder.samples.filter((sample) => sample.status === 202).length;
      const caughtUp = await waitForDrain(pipeline, fillSince, plan.drainWaitSeconds);
      log(`  ${accepted} writes accepted; ${caughtUp ? 'caught up' : 'not caught up: the replay folds what the topics hold by then'}`);
    }

    log('replay of every event into a fresh read model');
    const replay = await guarded('replay', notes, () => runReplay(stack, memory, profileDir));
    if (replay) log(`  ${formatNumber(replay.eventsInTopics, 0)} events: ${formatNumber(replay.eventsPerSecond)} events/s (fold alone ${formatNumber(replay.foldEventsPerSecond)})`);
    if (replay && profileDir) profiles.push(...analyseProfile(path.join(profileDir, 'replay.cpuprofile'), 'replay', 'the replay process, start-up included'));

    memory.stop();
    const memoryResults = memory.results();
    await cleanup();

    const phases = { oneClient: oneClient.result, rywMax: rywMax.result, rywHalf: rywHalf.result, rywWide: rywWide.result, async: asyncResult, reads: reads.result };
    const baselines = { pg: pg as PgBaseline | null, kafka: kafka as KafkaBaseline | null };
    const ratios = computeRatios({ phases, baselines });
    const results: BenchResults = {
      schemaVersion: RESULTS_SCHEMA_VERSION,
      mode: plan.mode,
      profiled: plan.profile,
      date: new Date().toISOString(),
      ...gitState(),
      machine: {
        cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
        cores: os.cpus().length,
        memoryGiB: os.totalmem() / 2 ** 30,
        node: process.version,
        platform: os.platform(),
        release: os.release(),
        loadAverage: { start: loadAtStart, end: os.loadavg()[0] },
      },
      wallClockSeconds: (performance.now() - startedAt) / 1000,
      settings: settingsOf(plan),
      idle,
      phases,
      replay,
      baselines,
      ratios,
      memory: memoryResults,
      targets: [],
      timeline: buildTimeline(
        [oneClient, rywMax, rywHalf, rywWide, asyncMeasured, reads].map(({ result, samples }) => ({ name: result.name, mode: result.mode, seconds: result.seconds, samples })),
      ),
      profiles,
      notes,
    };
    results.targets = evaluateTargets(results);
    await writeOutputs(outDir, results);
    for (const target of results.targets) {
      log(`${target.pass ? 'PASS' : 'MISS'}  ${target.label}: ${target.measured === null ? 'not measured' : `${formatNumber(target.measured)} ${target.unit}`} (${target.requirement})`);
    }
    log(`written: ${path.relative(ROOT, path.join(outDir, 'benchmarks.md'))}, benchmarks/latest.json, benchmarks/latency-over-time.svg`);
  } finally {
    await cleanup();
  }
}

/** Run a measurement that may fail on its own (a missing Java, a perf tool's odd output) without losing the rest. */
async function guarded<T>(what: string, notes: string[], run: () => Promise<T>): Promise<T | null> {
  try {
    return await run();
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    log(`  ${what} failed: ${message}`);
    notes.push(`${what} failed: ${message}`);
    return null;
  }
}

/** The application that sends all the load, with the article's settings and user data fields. */
async function setUpApplication(gatewayUrl: string, adminSecret: string): Promise<AppCredentials> {
  const call = async (method: string, route: string, auth: string, body: unknown) => {
    const response = await fetch(`${gatewayUrl}${route}`, {
      method,
      headers: { authorization: `Basic ${Buffer.from(auth).toString('base64')}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${route}: ${response.status} ${text}`);
    return JSON.parse(text) as Record<string, unknown>;
  };
  const { application } = (await call('POST', '/admin/applications', `admin:${adminSecret}`, { name: 'Benchmark' })) as { application: AppCredentials };
  const master = `${application.applicationKey}:${application.masterSecret}`;
  await call('PUT', '/application/settings', master, { userRegistration: 'api' });
  for (const field of [
    { key: 'firstName', label: 'Given Name', type: 'text' },
    { key: 'lastName', label: 'Family Name', type: 'text' },
    { key: 'birthdate', label: 'Birthdate', type: 'date' },
    { key: 'gender', label: 'Gender', type: 'enum', values: ['Male', 'Female', 'Other'] },
  ]) {
    await call('POST', '/application/userdatafields', master, field);
  }
  return application;
}

/** Wait until the pipeline has nothing left to do (or the wait is over): true if it caught up. */
async function waitForDrain(monitor: PipelineMonitor, since: Date, seconds: number): Promise<boolean> {
  const deadline = performance.now() + seconds * 1000;
  for (;;) {
    const backlog = await monitor.backlog(since).catch(() => undefined);
    if (backlog && backlog.consumerLag + backlog.outboxBacklog + backlog.unprojectedCommands === 0) return true;
    if (performance.now() >= deadline) return false;
    await delay(250);
  }
}

/** Samples the pipeline's backlog on a timer (one reading at a time), from the start of the async phase. */
class LagSampler {
  readonly readings: LagReading[] = [];
  private readonly origin = performance.now();
  private timer?: NodeJS.Timeout;
  private inFlight?: Promise<void>;

  constructor(
    private readonly monitor: PipelineMonitor,
    private readonly since: Date,
  ) {}

  now(): number {
    return this.secondsAt(performance.now());
  }

  secondsAt(performanceNow: number): number {
    return (performanceNow - this.origin) / 1000;
  }

  start(intervalMs: number): void {
    this.stop();
    void this.take();
    this.timer = setInterval(() => void this.take(), intervalMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private take(): Promise<void> {
    if (this.inFlight) return this.inFlight;
    const second = this.now();
    this.inFlight = this.monitor
      .backlog(this.since)
      .then((backlog: PipelineBacklog) => {
        this.readings.push({ second: Math.round(second * 10) / 10, ...backlog });
      })
      .catch(() => undefined)
      .finally(() => {
        this.inFlight = undefined;
      });
    return this.inFlight;
  }

  /** Until a reading taken after `fromSecond` shows all three backlogs at zero, or `seconds` pass. */
  async waitUntilDrained(seconds: number, fromSecond: number): Promise<void> {
    const deadline = performance.now() + seconds * 1000;
    while (performance.now() < deadline) {
      const last = this.readings[this.readings.length - 1];
      if (last && last.second >= fromSecond && last.consumerLag + last.outboxBacklog + last.unprojectedCommands === 0) {
        // One more reading after the first zero, so the chart shows it stays there.
        await delay(500);
        await this.take();
        return;
      }
      await delay(100);
    }
  }
}

/**
 * The replay as `npm run cli -- replay` runs it (compiled, `REPLAY_NODE_FLAGS`, the apps already
 * built by the stack), with `--restart --json`; its memory tracked, its profile optional (Node's own
 * `--cpu-prof`: the replay exits by itself).
 */
async function runReplay(stack: BenchStack, memory: ProcessSampler, profileDir: string | undefined): Promise<ReplayResultSummary> {
  const profile = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, '--cpu-prof-name=replay.cpuprofile'] : [];
  const child = transient(
    spawn(process.execPath, [...REPLAY_NODE_FLAGS, ...profile, REPLAY_ENTRY_POINT, '--restart', '--json'], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: stack.databaseUrl, KAFKA_BROKERS: stack.brokers.join(','), KAFKA_TOPIC_PREFIX: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  memory.track('replay', child.pid);
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const guard = setTimeout(() => void stopChild(child, 5_000), 300_000);
  const code = await new Promise<number | null>((resolve) => child.once('close', (exitCode) => resolve(exitCode)));
  clearTimeout(guard);
  memory.sample();
  if (code !== 0) throw new Error(`the replay exited with ${code}: ${output.slice(-1_500)}`);
  return summariseReplayOutput(output);
}

/** Wait for every app's profile of the write path, then read its hotspots. */
async function collectAppProfiles(stack: BenchStack, profileDir: string): Promise<ProcessProfile[]> {
  const covers = 'write path (the full-speed, half-load and async write phases)';
  const profiles = await Promise.all(stack.apps.map((app) => collectProfile(path.join(profileDir, `${app.name}-0.cpuprofile`), app.name, covers)));
  return profiles.flat();
}

/** Wait (up to a minute) for a profile the hook writes on its second SIGWINCH, then read its hotspots. */
async function collectProfile(file: string, processName: string, covers: string): Promise<ProcessProfile[]> {
  const deadline = performance.now() + 60_000;
  while (performance.now() < deadline && !existsSync(file)) await delay(250);
  return analyseProfile(file, processName, covers);
}

function analyseProfile(file: string, processName: string, covers: string): ProcessProfile[] {
  if (!existsSync(file)) {
    log(`  no CPU profile for ${processName} (${path.relative(ROOT, file)})`);
    return [];
  }
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  return [{ process: processName, covers, ...hotspots(profile, ROOT, 15) }];
}

function gitState(): { commit: string; dirtyTree: boolean } {
  try {
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: ROOT, encoding: 'utf8' }).trim() !== '';
    return { commit, dirtyTree: dirty };
  } catch {
    return { commit: 'unknown', dirtyTree: false };
  }
}

function settingsOf(plan: BenchPlan): BenchResults['settings'] {
  return {
    'phase seconds (one client / RYW / half load / RYW wide / async / reads)': `${plan.oneClientSeconds} / ${plan.rywSeconds} / ${plan.halfLoadSeconds} / ${plan.rywWideSeconds} / ${plan.asyncSeconds} / ${plan.readSeconds}`,
    'idle seconds (no traffic, before the warm-up)': plan.idleSeconds,
    'warm-up seconds': plan.warmupSeconds,
    'ramp-up seconds left out of rates': plan.rampSeconds,
    'write connections': plan.writeConnections,
    'write connections, wide RYW phase': plan.wideWriteConnections,
    'read connections': plan.readConnections,
    'DATABASE_POOL_SIZE (every app, and the raw PostgreSQL pool)': plan.poolSize,
    'partitions per topic': plan.partitions,
    'RATE_LIMIT_PER_SECOND': '0 (off: one application sends all the load)',
    'COMMAND_TIMEOUT_MS': '10000 (default)',
    'LOG_LEVEL': process.env.LOG_LEVEL ?? 'info (default)',
    'async drain wait (s)': plan.drainWaitSeconds,
    'fill seconds (async writes for the replay, not measured)': plan.fillSeconds,
    'raw Kafka records × size': `${plan.kafkaRecords} × ${plan.kafkaRecordSize} B`,
    'raw PostgreSQL seconds': plan.pgSeconds,
  };
}

async function writeOutputs(outDir: string, results: BenchResults): Promise<void> {
  const dataDir = path.join(outDir, 'benchmarks');
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(path.join(dataDir, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
  try {
    writeFileSync(path.join(dataDir, 'latency-over-time.svg'), await renderSvg(chartSpec(results)));
  } catch (error) {
    results.notes.push(`chart not rendered: ${(error as Error).message}`);
  }
  writeFileSync(path.join(outDir, 'benchmarks.md'), renderReport(results));
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error('[bench] failed:', error);
    process.exit(1);
  },
);
