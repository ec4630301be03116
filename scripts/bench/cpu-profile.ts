/**
 * Hotspots of a V8 CPU profile (`.cpuprofile`, as written by `node --cpu-prof` or the inspector's
 * Profiler.stop): self time per function, the biggest first. Pure.
 */
import { Hotspot } from './results';

export interface CpuProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber?: number; scriptId?: string };
  hitCount?: number;
  children?: number[];
}

export interface CpuProfile {
  nodes: CpuProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  /** Microseconds before each sample (the first one since startTime). */
  timeDeltas?: number[];
}

/** Samples that are not JavaScript work: left out of the hotspots and of the busy total. */
const NOT_WORK = new Set(['(idle)']);

/** Where a function lives, relative to the repository (`libs/messaging/src/…:42`, `node_modules/pg/lib/…:10`). */
export function describeLocation(url: string, lineNumber: number, repoRoot: string): string {
  if (!url) return '(native)';
  let file = url.startsWith('file://') ? decodeURIComponent(url.slice('file://'.length)) : url;
  const root = repoRoot.endsWith('/') ? repoRoot : `${repoRoot}/`;
  if (file.startsWith(root)) file = file.slice(root.length);
  return lineNumber >= 0 ? `${file}:${lineNumber + 1}` : file;
}

/**
 * Self time per function (same name, file and line merged across call paths), the `limit`
 * biggest, with their share of the busy time (everything but idle).
 */
/**
 * Who a function's time is spent for: the nearest frame (itself or a caller) that is not Node's
 * own or native — a package (`pg`, `kafkajs`, `@nestjs/core`) or a folder of the repository
 * (`libs/messaging/src/outbox`). Native socket writes land on whoever wrote, for instance.
 */
export function originOf(nodeId: number, byId: Map<number, CpuProfileNode>, parentOf: Map<number, number>, repoRoot: string): string {
  for (let id: number | undefined = nodeId; id !== undefined; id = parentOf.get(id)) {
    const url = byId.get(id)?.callFrame.url ?? '';
    if (!url || url.startsWith('node:')) continue;
    const location = describeLocation(url, -1, repoRoot);
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(location);
    if (pkg) return pkg[1];
    return location.split('/').slice(0, 4).join('/');
  }
  return '(Node.js internals, native)';
}

export function hotspots(
  profile: CpuProfile,
  repoRoot: string,
  limit = 15,
): { totalMs: number; hotspots: Hotspot[]; byOrigin: { origin: string; selfMs: number; selfPercent: number }[] } {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  const selfMicros = new Map<number, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  if (samples.length > 0) {
    // Sample i stands for the interval until sample i+1 (the first delta is the wait between
    // Profiler.start and the first sample, not work). An interval far longer than the sampling
    // period means the process was not running (descheduled on a busy machine): capped.
    const intervals = deltas.slice(1, samples.length);
    const cap = 20 * (intervals.length > 0 ? [...intervals].sort((a, b) => a - b)[Math.floor(intervals.length / 2)] : 0);
    for (let index = 0; index < samples.length - 1; index += 1) {
      const micros = Math.min(Math.max(0, deltas[index + 1] ?? 0), cap);
      selfMicros.set(samples[index], (selfMicros.get(samples[index]) ?? 0) + micros);
    }
  } else {
    // No sample list: spread the profile's duration over the hit counts.
    const hits = profile.nodes.reduce((sum, node) => sum + (node.hitCount ?? 0), 0);
    const perHit = hits > 0 ? (profile.endTime - profile.startTime) / hits : 0;
    for (const node of profile.nodes) selfMicros.set(node.id, (node.hitCount ?? 0) * perHit);
  }
  const merged = new Map<string, { functionName: string; location: string; micros: number }>();
  const origins = new Map<string, number>();
  let busyMicros = 0;
  for (const [id, micros] of selfMicros) {
    const node = byId.get(id);
    if (!node || NOT_WORK.has(node.callFrame.functionName)) continue;
    busyMicros += micros;
    const origin = originOf(id, byId, parentOf, repoRoot);
    origins.set(origin, (origins.get(origin) ?? 0) + micros);
    const functionName = node.callFrame.functionName || '(anonymous)';
    const location = describeLocation(node.callFrame.url, node.callFrame.lineNumber, repoRoot);
    const key = `${functionName}\u0000${location}`;
    const entry = merged.get(key) ?? { functionName, location, micros: 0 };
    entry.micros += micros;
    merged.set(key, entry);
  }
  const top = [...merged.values()]
    .sort((a, b) => b.micros - a.micros)
    .slice(0, limit)
    .map((entry) => ({
      selfMs: entry.micros / 1000,
      selfPercent: busyMicros > 0 ? (entry.micros / busyMicros) * 100 : 0,
      functionName: entry.functionName,
      location: entry.location,
    }));
  const byOrigin = [...origins]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([origin, micros]) => ({ origin, selfMs: micros / 1000, selfPercent: busyMicros > 0 ? (micros / busyMicros) * 100 : 0 }));
  return { totalMs: busyMicros / 1000, hotspots: top, byOrigin };
}
