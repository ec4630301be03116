/**
 * How every app's Node.js process is started (`npm start`, the benchmark, the end-to-end tests,
 * the Nx `serve` targets; the Dockerfile repeats it): the compiled app (`npm run build`, into
 * dist/), with the heap bounded. V8 otherwise lets a 4 GB-limit heap grow to several times what
 * is live before a full collection — the gateway reached 386 MB RSS under the benchmark's write
 * load, 237 MB with the old space capped (live data is under 100 MB). The young generation's
 * semi-spaces at 8 MB (V8 sizes them larger on its own): in two pairs of quick benchmarks, the
 * apps' peak RSS went from 197–305 MB to 149–191 MB, and CPU per write fell too (3.2 against
 * 4.9–5.1 ms at 256 connections): collections of a smaller nursery touch less memory.
 */
export const APP_NODE_FLAGS = ['--max-old-space-size=512', '--max-semi-space-size=8', '--enable-source-maps'] as const;

/** An app's compiled entry point, relative to the repository root. */
export function appEntryPoint(app: string): string {
  return `dist/apps/${app}/src/main.js`;
}

/**
 * The read model's replay (`npm run cli -- replay`), compiled too and in a process of its own. Its
 * live set stays near 50 MB whatever the history's length (a batch at a time), but a fast fold makes
 * garbage quickly: with V8's defaults its RSS reached 530 MB over 100,000 events. Measured over
 * 34,458 events (same run, alternately): defaults 343–363 MB; old space capped at 160 MB alone
 * 291 MB and a third slower (full collections); with the young generation's semi-spaces at 8 MB
 * too, 192 MB at the defaults' pace.
 */
export const REPLAY_NODE_FLAGS = ['--max-old-space-size=160', '--max-semi-space-size=8', '--enable-source-maps'] as const;
export const REPLAY_ENTRY_POINT = 'dist/apps/projection-service/src/replay/main.js';
