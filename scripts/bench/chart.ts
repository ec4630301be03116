/**
 * docs/benchmarks/latency-over-time.svg: latency, throughput and the async phase's lag, second by
 * second. A Vega-Lite spec (built by a pure function) rendered to SVG by Vega in Node, without a
 * canvas.
 */
import { parse, View } from 'vega';
import { compile, TopLevelSpec } from 'vega-lite';
import { BenchResults } from './results';

const WIDTH = 760;
const HEIGHT = 170;

export function chartSpec(results: Pick<BenchResults, 'timeline' | 'phases' | 'date' | 'commit' | 'mode'>): TopLevelSpec {
  const latency = results.timeline.flatMap((point) =>
    (['p50', 'p99'] as const)
      .filter((key) => point[key] !== null && Number.isFinite(point[key]))
      .map((key) => ({ second: point.second, phase: point.phase, percentile: key, ms: Math.max(0.1, point[key] as number) })),
  );
  const throughput = results.timeline.flatMap((point) => [
    ...(point.writesPerSecond > 0 || point.phase !== 'profile reads' ? [{ second: point.second, phase: point.phase, what: 'writes/s', rate: point.writesPerSecond }] : []),
    ...(point.readsPerSecond > 0 ? [{ second: point.second, phase: point.phase, what: 'reads/s', rate: point.readsPerSecond }] : []),
  ]);
  const lag = results.phases.async.lag.flatMap((reading) => [
    { second: reading.second, series: 'Kafka consumer lag (messages)', value: reading.consumerLag },
    { second: reading.second, series: 'outbox backlog (rows)', value: reading.outboxBacklog },
    { second: reading.second, series: 'commands not yet projected', value: reading.unprojectedCommands },
  ]);
  const loadEnd = results.phases.async.seconds;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: { text: `Benchmark ${results.date.slice(0, 10)} (${results.mode}), commit ${results.commit.slice(0, 12)}`, anchor: 'start' },
    config: { font: 'sans-serif', view: { stroke: '#ddd' }, legend: { labelLimit: 320 } },
    vconcat: [
      {
        title: 'Latency per second (writes; reads in the read phase)',
        width: WIDTH,
        height: HEIGHT,
        data: { values: latency },
        mark: { type: 'line', point: false, strokeWidth: 1.5 },
        encoding: {
          x: { field: 'second', type: 'quantitative', title: 'seconds since the first measured phase' },
          y: { field: 'ms', type: 'quantitative', title: 'latency (ms, log scale)', scale: { type: 'log' } },
          color: { field: 'phase', type: 'nominal', title: 'phase' },
          strokeDash: { field: 'percentile', type: 'nominal', title: 'percentile' },
          detail: { field: 'phase', type: 'nominal' },
        },
      },
      {
        title: 'Throughput per second',
        width: WIDTH,
        height: HEIGHT,
        data: { values: throughput },
        mark: { type: 'line', strokeWidth: 1.5 },
        encoding: {
          x: { field: 'second', type: 'quantitative', title: 'seconds since the first measured phase' },
          y: {
            field: 'rate',
            type: 'quantitative',
            title: 'per second (symlog scale)',
            scale: { type: 'symlog' },
            axis: { values: [0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 50_000] },
          },
          color: { field: 'phase', type: 'nominal', title: 'phase' },
          strokeDash: { field: 'what', type: 'nominal', title: 'what' },
          detail: { field: 'phase', type: 'nominal' },
        },
      },
      {
        title: `Async phase: backlog of the pipeline (load stops at ${loadEnd} s)`,
        width: WIDTH,
        height: HEIGHT,
        layer: [
          {
            data: { values: lag },
            mark: { type: 'line', strokeWidth: 1.5 },
            encoding: {
              x: { field: 'second', type: 'quantitative', title: 'seconds since the async phase started' },
              y: { field: 'value', type: 'quantitative', title: 'backlog' },
              color: { field: 'series', type: 'nominal', title: 'backlog' },
            },
          },
          {
            data: { values: [{ second: loadEnd }] },
            mark: { type: 'rule', strokeDash: [4, 4], color: '#888' },
            encoding: { x: { field: 'second', type: 'quantitative' } },
          },
        ],
      },
    ],
    resolve: { scale: { color: 'independent', strokeDash: 'independent' }, legend: { color: 'independent', strokeDash: 'independent' } },
  } as TopLevelSpec;
}

export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new View(parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
