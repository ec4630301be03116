/**
 * How every app's Node.js process is started (`npm start`, the benchmark, the end-to-end tests,
 * the Nx `serve` targets; the Dockerfile repeats it): the compiled app (`npm run build`, into
 * dist/), with the old generation capped. V8 otherwise lets a 4 GB-limit heap grow to several times
 * what is live before a full collection — the gateway reached 386 MB RSS under the benchmark's
 * write load, 237 MB with this cap, at the same throughput (live data is under 100 MB).
 */
export const APP_NODE_FLAGS = ['--max-old-space-size=512', '--enable-source-maps'] as const;

/** An app's compiled entry point, relative to the repository root. */
export function appEntryPoint(app: string): string {
  return `dist/apps/${app}/src/main.js`;
}
