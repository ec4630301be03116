/**
 * `npm run cli -- replay`: rebuild the projection's read model from the event topics and swap it in
 * (apps/projection-service/src/replay/replay.ts). The replay runs compiled, in a process of its own,
 * as the apps do (ADR 0011): the apps are built first (cached), then
 * `apps/projection-service/src/replay/main.ts` runs with `REPLAY_NODE_FLAGS`. Reads keep working
 * throughout; Ctrl-C stops after the batch in progress, and running it again resumes where it
 * stopped (`--restart` starts over).
 *
 * Configuration: DATABASE_URL, KAFKA_BROKERS, KAFKA_TOPIC_PREFIX (as the services).
 * A deployment must keep the whole history of device.events, recipient.events and profile.events:
 * `retention.ms=-1` (and no `retention.bytes`), which `npm run kafka:topics` sets when it creates them.
 * If a partition of them no longer starts at offset 0 (its beginning was deleted), the replay refuses
 * and changes nothing, naming the topic and partition; `--allow-truncated-history` rebuilds from what
 * is left (the rebuilt read model then lacks the deleted events).
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import path from 'node:path';
import { buildApps } from '../libs/runtime/src/build-apps';
import { REPLAY_ENTRY_POINT, REPLAY_NODE_FLAGS } from '../libs/runtime/src/app-process';

const ROOT = path.resolve(__dirname, '..');

/** Runs the replay with these flags (its own: `--restart`, `--json`, …); resolves with its exit code. */
export async function runReplay(flags: string[]): Promise<number> {
  buildApps();
  const child = spawn(process.execPath, [...REPLAY_NODE_FLAGS, REPLAY_ENTRY_POINT, ...flags], { cwd: ROOT, stdio: 'inherit' });
  // Ctrl-C reaches the replay too (same process group): it stops after its batch, and this waits for it.
  const ignoreInterrupt = () => undefined;
  process.on('SIGINT', ignoreInterrupt);
  try {
    return await new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      // Killed by a signal: the shell's convention, 128 + its number.
      child.once('close', (code, signal) => resolve(code ?? 128 + (signal ? constants.signals[signal] : 0)));
    });
  } finally {
    process.off('SIGINT', ignoreInterrupt);
  }
}
