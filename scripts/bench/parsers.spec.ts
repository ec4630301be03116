import { parseConsumerPerformance, parseProducerPerformance } from './baselines';
import { CpuProfile, describeLocation, hotspots } from './cpu-profile';
import { parsePlan, phaseBudgetSeconds } from './options';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isLocalDatabase, readPostgresCpuSeconds } from './monitor';
import { buildTimeline, cpuUsed, postgresCpuUsed, summarizeIdle, summarizePhase, writeOutcome } from './phase';
import { isValidPhoneNumber } from 'libphonenumber-js';
import { Recorder, UserFlows, splitEvenly, userIdentity } from './load';

describe('Kafka perf tool output', () => {
  it('reads the producer\'s summary line, not its progress lines', () => {
    const output = [
      '98305 records sent, 19653.1 records/sec (9.60 MB/sec), 1200.5 ms avg latency, 1800.0 ms max latency.',
      '200000 records sent, 51234.5 records/sec (25.02 MB/sec), 120.34 ms avg latency, 400.00 ms max latency, 110 ms 50th, 300 ms 95th, 350 ms 99th, 390 ms 99.9th.',
    ].join('\n');
    expect(parseProducerPerformance(output)).toEqual({ recordsPerSecond: 51234.5, latencyMs: { avg: 120.34, p50: 110, p99: 350 } });
  });

  it('refuses output without a summary', () => {
    expect(() => parseProducerPerformance('Exception in thread "main"')).toThrow(/no summary line/);
  });

  it('reads the consumer\'s rates by header name', () => {
    const output = [
      'WARNING: something',
      'start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec',
      '2026-11-28 20:00:00:000, 2026-11-28 20:00:04:000, 97.6562, 24.4141, 200000, 50000.0000, 3000, 1000, 97.6562, 200000.0000',
    ].join('\n');
    expect(parseConsumerPerformance(output)).toEqual({ records: 200_000, recordsPerSecond: 50_000, fetchRecordsPerSecond: 200_000 });
  });

  it('refuses consumer output without its header', () => {
    expect(() => parseConsumerPerformance('nothing here')).toThrow(/unexpected ConsumerPerformance output/);
  });
});

describe('CPU profile hotspots', () => {
  const root = '/repo';
  const node = (id: number, functionName: string, url: string, lineNumber: number) => ({ id, callFrame: { functionName, url, lineNumber } });
  const profile: CpuProfile = {
    nodes: [
      node(1, '(root)', '', -1),
      node(2, '(idle)', '', -1),
      node(3, 'parse', 'file:///repo/libs/contracts/src/decode.ts', 9),
      node(4, 'parse', 'file:///repo/libs/contracts/src/decode.ts', 9), // same function, another call path
      node(5, '', '/repo/node_modules/pg/lib/client.js', 99),
      node(6, '(garbage collector)', '', -1),
    ],
    startTime: 0,
    endTime: 10_000,
    samples: [2, 2, 2, 3, 4, 4, 5, 6, 2],
    // Before each sample; the first is the wait for the first sample after Profiler.start.
    timeDeltas: [9_999, 1_000, 1_000, 1_000, 1_000, 1_000, 2_000, 500, 1_000],
  };

  it('sums self time per function across call paths, biggest first, idle and the start gap left out', () => {
    // Sample i stands for the interval until the next one.
    const { totalMs, hotspots: top } = hotspots(profile, root);
    expect(totalMs).toBe(5.5);
    expect(top).toEqual([
      { selfMs: 4, selfPercent: (4 / 5.5) * 100, functionName: 'parse', location: 'libs/contracts/src/decode.ts:10' },
      { selfMs: 1, selfPercent: (1 / 5.5) * 100, functionName: '(garbage collector)', location: '(native)' },
      { selfMs: 0.5, selfPercent: (0.5 / 5.5) * 100, functionName: '(anonymous)', location: 'node_modules/pg/lib/client.js:100' },
    ]);
  });

  it('caps an interval far longer than the sampling period (the process was not running)', () => {
    const gap: CpuProfile = { ...profile, timeDeltas: [0, 1_000, 1_000, 5_000_000, 1_000, 1_000, 1_000, 1_000, 1_000] };
    // Sample 2 (idle) gets the gap; sample 3 (parse) the next interval: only 20 × the median is counted.
    const gapOnParse: CpuProfile = { ...profile, timeDeltas: [0, 1_000, 1_000, 1_000, 5_000_000, 1_000, 1_000, 1_000, 1_000] };
    expect(hotspots(gap, root).totalMs).toBe(5);
    expect(hotspots(gapOnParse, root).hotspots[0]).toMatchObject({ functionName: 'parse', selfMs: 20 + 2 });
  });

  it('counts time by the package or repository folder it was spent for, native calls for their caller', () => {
    const nested: CpuProfile = {
      nodes: [
        { ...node(1, '(root)', '', -1), children: [2, 4] },
        { ...node(2, 'submit', 'file:///repo/node_modules/pg/lib/query.js', 150), children: [3] },
        node(3, 'writev', '', -1), // native, called by pg
        { ...node(4, 'relay', 'file:///repo/libs/messaging/src/outbox/outbox-relay.ts', 10), children: [5] },
        node(5, 'emit', 'node:events', 470), // Node's own, called by the relay
      ],
      startTime: 0,
      endTime: 0,
      samples: [3, 3, 5, 2, 3],
      timeDeltas: [0, 1_000, 1_000, 1_000, 1_000],
    };
    expect(hotspots(nested, root).byOrigin).toEqual([
      { origin: 'pg', selfMs: 3, selfPercent: 75 },
      { origin: 'libs/messaging/src/outbox', selfMs: 1, selfPercent: 25 },
    ]);
    expect(hotspots({ ...nested, samples: [1, 1] }, root).byOrigin).toEqual([{ origin: '(Node.js internals, native)', selfMs: 1, selfPercent: 100 }]);
  });

  it('keeps only the requested number of hotspots', () => {
    expect(hotspots(profile, root, 1).hotspots).toHaveLength(1);
  });

  it('falls back on hit counts when the profile has no sample list', () => {
    const byHits: CpuProfile = {
      nodes: [{ ...node(1, 'a', 'file:///repo/a.ts', 0), hitCount: 3 }, { ...node(2, 'b', 'file:///repo/b.ts', 0), hitCount: 1 }],
      startTime: 0,
      endTime: 4_000,
    };
    expect(hotspots(byHits, root).hotspots.map((h) => [h.functionName, h.selfMs])).toEqual([
      ['a', 3],
      ['b', 1],
    ]);
  });

  it('names locations relative to the repository', () => {
    expect(describeLocation('file:///repo/apps/gateway/src/main.ts', 0, '/repo')).toBe('apps/gateway/src/main.ts:1');
    expect(describeLocation('node:internal/streams/readable', 41, '/repo')).toBe('node:internal/streams/readable:42');
    expect(describeLocation('', -1, '/repo')).toBe('(native)');
  });
});

describe('the benchmark plan', () => {
  it('the quick plan keeps its measured phases well inside two minutes, the default inside ten', () => {
    const quick = parsePlan(['--quick']);
    const full = parsePlan([]);
    expect(quick.mode).toBe('quick');
    // Every wait at its longest. Start-up (Kafka, the apps), the perf tools and the replay need the rest of the budget.
    expect(phaseBudgetSeconds(quick)).toBeLessThanOrEqual(60);
    expect(phaseBudgetSeconds(full)).toBeLessThanOrEqual(7.5 * 60);
  });

  it('runs on its own ports and database by default', () => {
    expect(parsePlan([])).toMatchObject({ kafkaPort: 59092, gatewayPort: 5300, firstServicePort: 5301, databaseName: 'omni_bench', outDir: 'docs' });
  });

  it('moves every port and the database for a second instance beside the first', () => {
    expect(parsePlan(['--instance', '2'])).toMatchObject({ kafkaPort: 59292, gatewayPort: 5320, firstServicePort: 5321, databaseName: 'omni_bench_2' });
  });

  it('takes connections, pool size and phase length from the command line', () => {
    expect(parsePlan(['--connections', '8', '--wide-connections', '32', '--pool-size', '4', '--seconds', '7'])).toMatchObject({
      writeConnections: 8,
      wideWriteConnections: 32,
      poolSize: 4,
      oneClientSeconds: 7,
      rywSeconds: 7,
      rywWideSeconds: 7,
      halfLoadSeconds: 7,
      asyncSeconds: 7,
      readSeconds: 7,
    });
    expect(() => parsePlan(['--connections', '0'], () => undefined)).toThrow();
    expect(parsePlan(['--note', 'a', '--note', 'b']).notes).toEqual(['a', 'b']);
  });
});

describe('phase figures', () => {
  it('a read-your-writes write succeeds when visible (200/201); a 202 means it timed out', () => {
    expect(writeOutcome('read-your-writes', 201)).toBe('ok');
    expect(writeOutcome('read-your-writes', 202)).toBe('timed-out');
    expect(writeOutcome('read-your-writes', 500)).toBe('failed');
    expect(writeOutcome('respond-async', 202)).toBe('ok');
    expect(writeOutcome('respond-async', 201)).toBe('failed');
  });

  it('writes and reads are counted apart, rates without the ramp-up second', () => {
    const samples = [
      { atMs: 100, latencyMs: 50, kind: 'register-device', status: 201 },
      { atMs: 1_100, latencyMs: 10, kind: 'attach-user', status: 200 },
      { atMs: 1_200, latencyMs: 20, kind: 'add-email', status: 202 },
      { atMs: 1_300, latencyMs: 30, kind: 'add-sms', status: 400 },
      { atMs: 1_400, latencyMs: 5, kind: 'profile-read', status: 200 },
      { atMs: 1_500, latencyMs: 7, kind: 'profile-read', status: 404 },
    ];
    const phase = summarizePhase({
      name: 'p',
      mode: 'read-your-writes',
      seconds: 2,
      connections: 1,
      targetRequestsPerSecond: null,
      samples,
      rampSeconds: 1,
      users: 1,
      stale: 0,
      kafkaMessages: 20,
      unanswered: { errors: 0, timeouts: 0 },
      cpuSeconds: { gateway: 1.5 },
      postgresCpuSeconds: 0.75,
    });
    expect(phase.writes).toMatchObject({ ok: 2, timedOut: 1, failed: 1 });
    expect(phase.writes.rate.perSecond).toEqual([1]);
    expect(phase.writes.latencyMs.max).toBe(50);
    expect(phase.reads).toMatchObject({ ok: 1, failed: 1 });
    expect(phase.kafkaMessagesPerSecond).toBe(10);
    expect(phase.cpuSeconds).toEqual({ gateway: 1.5 });
    expect(phase.postgresCpuSeconds).toBe(0.75);
  });

  it('CPU used is counted for the processes read both before and after', () => {
    const before = new Map([
      ['gateway', 10],
      ['replay', 1],
    ]);
    const after = new Map([
      ['gateway', 12.5],
      ['kafka (JVM)', 40],
    ]);
    expect(cpuUsed(before, after)).toEqual({ gateway: 2.5 });
  });

  it('PostgreSQL\'s CPU used needs both readings, and is unknown if its total went down (a restart)', () => {
    expect(postgresCpuUsed(10, 12.5)).toBe(2.5);
    expect(postgresCpuUsed(null, 12.5)).toBeNull();
    expect(postgresCpuUsed(10, null)).toBeNull();
    expect(postgresCpuUsed(10, 3)).toBeNull();
  });

  it('idle CPU is a share of one core per stack process and summed, without the load generator', () => {
    const idle = summarizeIdle({ 'kafka (JVM)': 0.1, gateway: 0.05, 'load generator': 1 }, null, 10, ['kafka (JVM)', 'gateway']);
    expect(idle.seconds).toBe(10);
    expect(idle.percentOfCore['kafka (JVM)']).toBeCloseTo(1);
    expect(idle.percentOfCore.gateway).toBeCloseTo(0.5);
    expect(idle.percentOfCore).not.toHaveProperty('load generator');
    expect(idle.totalPercentOfCore).toBeCloseTo(1.5);
    expect(idle.postgresPercentOfCore).toBeNull();
  });

  it('idle CPU gives PostgreSQL\'s share apart, not in the sum', () => {
    const idle = summarizeIdle({ 'kafka (JVM)': 0.1, gateway: 0.05 }, 0.3, 10, ['kafka (JVM)', 'gateway']);
    expect(idle.totalPercentOfCore).toBeCloseTo(1.5);
    expect(idle.postgresPercentOfCore).toBeCloseTo(3);
    expect(idle.percentOfCore).not.toHaveProperty('PostgreSQL');
  });

  it('idle CPU has no sum when a stack process could not be read', () => {
    expect(summarizeIdle({ gateway: 0.05 }, 0.3, 10, ['kafka (JVM)', 'gateway']).totalPercentOfCore).toBeNull();
  });

  it('the timeline puts the phases one after another', () => {
    const timeline = buildTimeline([
      { name: 'a', mode: 'read-your-writes', seconds: 2, samples: [{ atMs: 1_500, latencyMs: 9, kind: 'add-sms', status: 201 }] },
      { name: 'b', mode: 'read', seconds: 1, samples: [{ atMs: 200, latencyMs: 3, kind: 'profile-read', status: 200 }] },
    ]);
    expect(timeline).toEqual([
      { phase: 'a', second: 0, writesPerSecond: 0, readsPerSecond: 0, p50: null, p99: null },
      { phase: 'a', second: 1, writesPerSecond: 1, readsPerSecond: 0, p50: 9, p99: 9 },
      { phase: 'b', second: 2, writesPerSecond: 0, readsPerSecond: 1, p50: 3, p99: 3 },
    ]);
  });
});

describe('load identities', () => {
  it('every user gets its own ids, email and a valid-looking Dutch mobile number', () => {
    const a = userIdentity('abc123', 1);
    const b = userIdentity('abc123', 2);
    expect(a.userID).not.toBe(b.userID);
    expect(a.deviceID).not.toBe(b.deviceID);
    expect(a.email).not.toBe(b.email);
    expect(a.phone).not.toBe(b.phone);
    expect(a.phone).toMatch(/^\+3161\d{7}$/);
    for (const n of [0, 1, 9_999_999, 12_345_678]) expect(isValidPhoneNumber(userIdentity('abc123', n).phone)).toBe(true);
  });
});

describe('the one client', () => {
  it('attaches a user of its own on every write, to the registered devices in turn and past the last one', () => {
    const flows = new UserFlows({ applicationKey: 'k', applicationSecret: 's', masterSecret: 'm' }, 'abc123');
    expect(() => flows.attachUsers(new Recorder())).toThrow(/no device was registered/);
    flows.registeredDevices.push(4, 7);
    const setup = flows.attachUsers(new Recorder())[0].setupRequest as (request: object, context: object) => { path: string; body: string };
    const sent = [0, 1, 2].map(() => setup({ method: 'PUT' }, {}));
    expect(sent.map((request) => request.path)).toEqual([4, 7, 4].map((n) => `/device/${userIdentity('abc123', n).deviceID}/user`));
    expect(sent.map((request) => (JSON.parse(request.body) as { userID: string }).userID)).toEqual(['bench-abc123-u4', 'bench-abc123-u7', 'bench-abc123-u4-r1']);
    expect(flows.reattached).toBe(1);
  });
});

describe('paced load', () => {
  it('splits a rate over the staggered instances without losing or adding requests', () => {
    expect(splitEvenly(17, 10)).toEqual([2, 2, 2, 2, 2, 2, 2, 1, 1, 1]);
    expect(splitEvenly(3, 10).filter((rate) => rate > 0)).toEqual([1, 1, 1]);
    for (const total of [1, 9, 10, 11, 999]) expect(splitEvenly(total, 10).reduce((sum, n) => sum + n, 0)).toBe(total);
  });
});

describe('PostgreSQL CPU from /proc', () => {
  let proc: string;
  // A /proc/PID/stat line: utime, stime, cutime and cstime are fields 14 to 17, in ticks of 1/100 s.
  const processes = (entries: { pid: number; command: string; parent: number; ticks: [number, number, number, number] }[]) => {
    for (const { pid, command, parent, ticks } of entries) {
      mkdirSync(path.join(proc, String(pid)));
      writeFileSync(path.join(proc, String(pid), 'stat'), `${pid} (${command}) S ${parent} ${pid} ${pid} 0 -1 4194304 10 0 0 0 ${ticks.join(' ')} 20 0 1 0 3182\n`);
    }
  };

  beforeEach(() => {
    proc = mkdtempSync(path.join(os.tmpdir(), 'bench-proc-'));
    mkdirSync(path.join(proc, 'self'));
  });
  afterEach(() => rmSync(proc, { recursive: true, force: true }));

  it('sums every postgres process, plus what the postmaster\'s exited backends used', () => {
    processes([
      { pid: 100, command: 'postgres', parent: 1, ticks: [30, 10, 500, 100] }, // the postmaster
      { pid: 101, command: 'postgres', parent: 100, ticks: [200, 50, 7, 3] }, // a backend: its own children are not ours
      { pid: 102, command: 'postgres', parent: 100, ticks: [5, 5, 0, 0] },
      { pid: 200, command: 'node', parent: 1, ticks: [1_000, 1_000, 1_000, 1_000] },
      { pid: 201, command: 'Web Content (x)', parent: 1, ticks: [1_000, 1_000, 1_000, 1_000] },
    ]);
    expect(readPostgresCpuSeconds(proc)).toBeCloseTo((30 + 10 + 500 + 100 + 200 + 50 + 5 + 5) / 100);
  });

  it('is unknown, not zero, without a postgres process to read', () => {
    processes([{ pid: 200, command: 'node', parent: 1, ticks: [1_000, 1_000, 0, 0] }]);
    expect(readPostgresCpuSeconds(proc)).toBeNull();
    expect(readPostgresCpuSeconds(path.join(proc, 'missing'))).toBeNull();
  });

  it('is read only for a database on this machine', () => {
    expect(isLocalDatabase('postgres://postgres@127.0.0.1:5432/omni_bench')).toBe(true);
    expect(isLocalDatabase('postgres://postgres@localhost/omni_bench')).toBe(true);
    expect(isLocalDatabase('postgres://postgres@[::1]:5432/omni_bench')).toBe(true);
    expect(isLocalDatabase('postgres:///omni_bench?host=/var/run/postgresql')).toBe(true);
    expect(isLocalDatabase('postgres://postgres@db.example.com:5432/omni_bench')).toBe(false);
    expect(isLocalDatabase('postgres://postgres@10.0.0.5/omni_bench')).toBe(false);
  });
});
