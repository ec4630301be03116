import { chartSpec, renderSvg } from './chart';
import { phaseFixture, resultsFixture } from './fixtures';
import { cpuTable, renderReport } from './report';
import { bestRywPhase, computeRatios, evaluateTargets, formatNumber } from './results';

describe('benchmark targets and ratios', () => {
  it('each target is judged against the issue\'s bound, and an unmeasured figure is a MISS', () => {
    const results = resultsFixture();
    const verdicts = Object.fromEntries(evaluateTargets(results).map((target) => [target.id, target.pass]));
    expect(verdicts).toEqual({
      'ryw-throughput': true, // 2,400 ≥ 2,000 (64 connections; 2,200 with 256)
      'ryw-p99': true, // 90 ms ≤ 250 ms, the 64-connection phase's
      'ryw-half-load-p99': false, // 150 ms > 100 ms
      'one-client-p50': true, // 8 ms ≤ 10 ms
      'async-throughput': true, // 6,000 ≥ 5,000
      'async-drain': true, // 2 s ≤ 5 s
      'read-throughput': false, // 4,000 < 5,000
      'read-p99': true, // 12 ms ≤ 20 ms
      'replay-throughput': true, // 50,000 ≥ 30,000
      'idle-cpu': false, // 3 % of a core > 2 %
      'rss-gateway': true, // 180 MB < 300 MB
      'rss-kafka (JVM)': false, // 450 MB
      'rss-replay': false, // not measured
      'writes-to-pg': true, // 30 % ≥ 25 %
    });
  });

  it('the full-speed write targets judge the read-your-writes phase with more writes/s, whichever its connections', () => {
    const results = resultsFixture();
    expect(bestRywPhase(results.phases)).toBe(results.phases.rywMax);
    results.phases.rywWide.writes.rate = { median: 2_600, mean: 2_600, perSecond: [] };
    const byId = Object.fromEntries(evaluateTargets(results).map((target) => [target.id, target]));
    expect(byId['ryw-throughput']).toMatchObject({ label: 'Writes/s sustained, read-your-writes (best of 64 and 256 connections)', measured: 2_600, pass: true });
    expect(byId['ryw-p99']).toMatchObject({ label: 'p99 write latency, read-your-writes at full speed (that phase: 256 connections)', measured: 300, pass: false });
  });

  it('a full-speed phase without a rate loses to the other, and a tie goes to the first', () => {
    const results = resultsFixture();
    results.phases.rywMax.writes.rate = { median: Number.NaN, mean: Number.NaN, perSecond: [] };
    expect(bestRywPhase(results.phases)).toBe(results.phases.rywWide);
    results.phases.rywMax.writes.rate = { median: 2_200, mean: 2_200, perSecond: [] };
    expect(bestRywPhase(results.phases)).toBe(results.phases.rywMax);
  });

  it('idle CPU not measured, or missing a process, is a MISS', () => {
    const results = resultsFixture();
    results.idle = null;
    expect(evaluateTargets(results).find((target) => target.id === 'idle-cpu')).toMatchObject({ pass: false, measured: null });
    results.idle = { seconds: 10, percentOfCore: { gateway: 0.5 }, totalPercentOfCore: null, postgresPercentOfCore: null };
    expect(evaluateTargets(results).find((target) => target.id === 'idle-cpu')).toMatchObject({ pass: false, measured: null });
  });

  it('idle CPU is judged on the apps and Kafka alone, PostgreSQL left out', () => {
    const results = resultsFixture();
    results.idle = { seconds: 10, percentOfCore: { gateway: 1.5 }, totalPercentOfCore: 1.5, postgresPercentOfCore: 40 };
    expect(evaluateTargets(results).find((target) => target.id === 'idle-cpu')).toMatchObject({ pass: true, measured: 1.5 });
  });

  it('a pipeline that never caught up misses the drain target', () => {
    const results = resultsFixture();
    results.phases.async.drainSeconds = null;
    expect(evaluateTargets(results).find((target) => target.id === 'async-drain')).toMatchObject({ pass: false, measured: null });
  });

  it('targets sit exactly on their bounds inclusively (≥ and ≤), RSS strictly below', () => {
    const results = resultsFixture();
    results.phases.rywMax = phaseFixture({ writes: { ...results.phases.rywMax.writes, rate: { median: 2_000, mean: 2_000, perSecond: [] } } });
    results.phases.oneClient.writes.latencyMs.p50 = 10;
    results.idle = { seconds: 10, percentOfCore: {}, totalPercentOfCore: 2, postgresPercentOfCore: null };
    results.memory = [{ process: 'gateway', pid: 1, peakRssMiB: 300 }];
    results.ratios.writesToPgUpserts = 0.25;
    const byId = Object.fromEntries(evaluateTargets(results).map((target) => [target.id, target]));
    expect(byId['ryw-throughput'].pass).toBe(true);
    expect(byId['one-client-p50'].pass).toBe(true);
    expect(byId['idle-cpu'].pass).toBe(true);
    expect(byId['rss-gateway'].pass).toBe(false);
    expect(byId['writes-to-pg']).toMatchObject({ pass: true, measured: 25 });
  });

  it('ratios divide the pipeline\'s figures by the raw ones, and are null without a raw figure', () => {
    const results = resultsFixture();
    expect(computeRatios(results)).toEqual({
      writesToPgUpserts: 2_400 / 8_000,
      pipelineKafkaToRaw: 9_000 / 90_000,
      writesToRawKafka: 2_400 / 90_000,
    });
    expect(computeRatios({ ...results, baselines: { pg: null, kafka: null } })).toEqual({
      writesToPgUpserts: null,
      pipelineKafkaToRaw: null,
      writesToRawKafka: null,
    });
  });

  it('numbers are formatted with thousands separators and sensible decimals', () => {
    expect(formatNumber(12_345.6)).toBe('12,346');
    expect(formatNumber(42.26)).toBe('42.3');
    expect(formatNumber(3.14159)).toBe('3.14');
    expect(formatNumber(null)).toBe('–');
    expect(formatNumber(Number.NaN)).toBe('–');
  });
});

describe('docs/benchmarks.md', () => {
  const results = resultsFixture();
  results.targets = evaluateTargets(results);
  const markdown = renderReport(results);

  it('states the machine, the date and the commit measured', () => {
    expect(markdown).toContain('Test CPU, 2 cores, 24.0 GiB RAM');
    expect(markdown).toContain('2026-11-28T20:00:00.000Z');
    expect(markdown).toContain('`0123456789ab`');
    expect(markdown).toContain('Load average (1 min) 0.50 when the run started, 2.25 when it ended.');
  });

  it('warns when other work already kept the machine busy', () => {
    const busy = { ...results, machine: { ...results.machine, loadAverage: { start: 9, end: 9 } } };
    expect(renderReport(busy)).toContain('**the machine was already busy with other work**');
  });

  it('prints PASS or MISS next to every target', () => {
    expect(markdown).toContain('| Writes/s sustained, read-your-writes (best of 64 and 256 connections) | 2,400 writes/s | ≥ 2,000 writes/s | **PASS** |');
    expect(markdown).toContain('| p99 write latency, read-your-writes at full speed (that phase: 64 connections) | 90.0 ms | ≤ 250 ms | **PASS** |');
    expect(markdown).toContain('| p50 write latency, one client (PUT /device/{id}/user) | 8.00 ms | ≤ 10 ms | **PASS** |');
    expect(markdown).toContain('| Idle stack CPU (apps and Kafka, no traffic) | 3.00 % of a core | ≤ 2 % of a core | **MISS** |');
    expect(markdown).toContain('| p99 write latency at 50 % load (1,440 req/s asked) | 150 ms | ≤ 100 ms | **MISS** |');
    expect(markdown).toContain('| Peak RSS, replay | not measured | < 300 MB | **MISS** |');
  });

  it('puts each raw figure next to the pipeline\'s with their ratio', () => {
    expect(markdown).toMatch(/PostgreSQL single-row upserts\/s \(pool of 10, 10 in flight, synchronous_commit=on\) \| 8,000 .*\| 2,400 writes\/s \| 30\.0 % \|/);
    expect(markdown).toMatch(/Kafka produce→consume msgs\/s .*\| 90,000 .*\| 9,000 Kafka msgs\/s \| 10\.0 % \|/);
  });

  it('lists the one-client and both full-speed read-your-writes phases among the writes', () => {
    expect(markdown).toContain('| read-your-writes, one client | read-your-writes | 1 | max | 120 | 120 | 8.00 ms | 11.0 ms | 14.0 ms | 1,200 | 0 | 0 | 0 |');
    expect(markdown).toContain('| read-your-writes, full speed, 64 connections | read-your-writes | 64 | max | 2,400 |');
    expect(markdown).toContain('| read-your-writes, full speed, 256 connections | read-your-writes | 256 | max | 2,200 | 2,200 | 90.0 ms | 195 ms | 300 ms | 110,000 | 5 | 0 | 0 |');
  });

  it('gives the idle CPU of each app and the broker, and their sum', () => {
    expect(markdown).toContain('over 10.0 s with no traffic at all');
    expect(markdown).toContain('| kafka (JVM) | 1.50 % |');
    expect(markdown).toContain('| **apps and Kafka** | **3.00 %** |');
    expect(renderReport({ ...results, idle: null })).toContain('## Idle stack\n\nNot measured.');
  });

  it('gives PostgreSQL\'s idle CPU on a line of its own, not in the total, and – when not measured', () => {
    expect(markdown).toContain('| **apps and Kafka** | **3.00 %** |\n| PostgreSQL (not in the total) | 4.00 % |');
    const unmeasured = renderReport({ ...results, idle: { seconds: 10, percentOfCore: { gateway: 1 }, totalPercentOfCore: 1, postgresPercentOfCore: null } });
    expect(unmeasured).toContain('| PostgreSQL (not in the total) | – |');
  });

  it('says what became of the async phase\'s commands', () => {
    expect(markdown).toContain('2,990 accepted, 10 rejected (USER_NOT_FOUND: 10)');
  });

  it('gives the CPU each process spends per successful request, and the cores kept busy', () => {
    // One client: 3 s of gateway CPU over 1,200 writes in 10 s. Then 60 s of gateway CPU over 144,000
    // requests (120,000 writes + 24,000 reads) in 60 s.
    expect(markdown).toContain('| process | read-your-writes, one client | read-your-writes, full speed, 64 connections | read-your-writes, half load | read-your-writes, full speed, 256 connections |');
    expect(markdown).toContain('| gateway | 2.50 ms | 0.42 ms |');
    expect(markdown).toContain('| **all of them** | **3.75 ms** | **0.63 ms** |');
    expect(markdown).toContain('| cores busy | 0.45 | 1.50 |');
  });

  it('gives PostgreSQL\'s CPU per request on a row of its own, out of the sum, and the cores busy with it', () => {
    // One client: 1.2 s of PostgreSQL CPU over 1,200 writes in 10 s. Then 45 s over 144,000 requests in 60 s.
    expect(markdown).toContain('| **all of them** | **3.75 ms** | **0.63 ms** |');
    expect(markdown).toContain('| PostgreSQL (not in the sum) | 1.00 ms | 0.31 ms |');
    expect(markdown).toContain('| cores busy | 0.45 | 1.50 |');
    expect(markdown).toContain('| cores busy, PostgreSQL included | 0.57 | 2.25 |');
    expect(markdown).toContain('The PostgreSQL row is the database server\'s own CPU');
  });

  it('shows – for PostgreSQL where it was not measured, not 0', () => {
    const phases = [phaseFixture({ postgresCpuSeconds: null }), phaseFixture({ name: 'reads' })];
    const rows = cpuTable(phases);
    expect(rows).toContain('| PostgreSQL (not in the sum) | – | 0.31 ms |');
    expect(rows).toContain('| cores busy | 1.50 | 1.50 |');
    expect(rows).toContain('| cores busy, PostgreSQL included | – | 2.25 |');
  });

  it('links the chart, and says how to run and how to read the benchmark', () => {
    expect(markdown).toContain('](benchmarks/latency-over-time.svg)');
    expect(markdown).toContain('## How to run it');
    expect(markdown).toContain('npm run bench -- --quick');
    expect(markdown).toContain('## How to read it');
  });

  it('lists hotspots only for a profiled run', () => {
    expect(markdown).not.toContain('CPU hotspots');
    const profiled = {
      ...results,
      profiles: [
        {
          process: 'gateway',
          covers: 'write path',
          totalMs: 12_000,
          hotspots: [{ selfMs: 1_500, selfPercent: 12.5, functionName: 'parse', location: 'libs/x.ts:3' }],
          byOrigin: [{ origin: 'pg', selfMs: 3_000, selfPercent: 25 }],
        },
      ],
    };
    const rendered = renderReport(profiled);
    expect(rendered).toContain('| 1,500 ms | 12.5 % | parse | libs/x.ts:3 |');
    expect(rendered).toContain('By package or folder (a native call counted for whoever made it): pg 25.0 %.');
  });

  it('escapes a pipe in a cell so the table keeps its columns', () => {
    const odd = { ...results, settings: { 'a|b': 'c' } };
    expect(renderReport(odd)).toContain('| a\\|b | c |');
  });
});

describe('the latency-over-time chart', () => {
  it('has a latency, a throughput and a lag panel, with the load\'s end marked', () => {
    const spec = chartSpec(resultsFixture()) as unknown as { vconcat: { title: string; data?: { values: unknown[] }; layer?: { data: { values: unknown[] } }[] }[] };
    expect(spec.vconcat.map((panel) => panel.title)).toEqual([
      'Latency per second (writes; reads in the read phase)',
      'Throughput per second',
      'Async phase: backlog of the pipeline (load stops at 60 s)',
    ]);
    // p50 and p99 of the first second, p50 only of the second (its p99 is unknown).
    expect(spec.vconcat[0].data?.values).toHaveLength(3);
    expect(spec.vconcat[2].layer?.[0].data.values).toHaveLength(9);
    expect(spec.vconcat[2].layer?.[1].data.values).toEqual([{ second: 60 }]);
  });

  it('renders to SVG without a canvas', async () => {
    const svg = await renderSvg(chartSpec(resultsFixture()));
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('Throughput per second');
  });
});
