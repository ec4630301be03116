import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** The loopback port range the fault suite uses, cut into blocks of {@link BLOCK_SIZE}: one block per running suite. */
const FIRST_PORT = 4300;
const BLOCK_SIZE = 10;
const BLOCKS = 10;
const LOCK_ROOT = path.join(os.tmpdir(), 'omni-fault-ports');

/** The ports of one private stack, all inside one reserved block. */
export interface StackPorts {
  postgres: number;
  kafka: number;
  kafkaController: number;
  gateways: [number, number];
  deviceService: number;
  recipientService: number;
  profileService: number;
  projectionService: number;
}

export interface PortBlock {
  ports: StackPorts;
  /** The lock directory (the watchdog removes it if this process dies). */
  lockDir: string;
  release(): void;
}

/**
 * Reserve a free block of 10 ports in 4300–4399 for one private stack. Two fault suites on the
 * machine (the short one in `npm test`, the full one, another agent's) never share a port: a block
 * is taken with an atomic `mkdir` holding the owner's pid, a stale lock (owner dead) is taken
 * over, and every port of the block must be free to bind on 127.0.0.1.
 */
export async function reservePortBlock(): Promise<PortBlock> {
  mkdirSync(LOCK_ROOT, { recursive: true });
  const offset = process.pid % BLOCKS; // spread concurrent suites over the blocks
  for (let i = 0; i < BLOCKS; i++) {
    const block = (offset + i) % BLOCKS;
    const first = FIRST_PORT + block * BLOCK_SIZE;
    const lockDir = path.join(LOCK_ROOT, `block-${first}`);
    if (!takeLock(lockDir)) continue;
    const all = Array.from({ length: BLOCK_SIZE }, (_, n) => first + n);
    if (!(await Promise.all(all.map(isFree))).every(Boolean)) {
      rmSync(lockDir, { recursive: true, force: true });
      continue;
    }
    return {
      lockDir,
      ports: {
        postgres: first,
        kafka: first + 1,
        kafkaController: first + 2,
        gateways: [first + 3, first + 4],
        deviceService: first + 5,
        recipientService: first + 6,
        profileService: first + 7,
        projectionService: first + 8,
      },
      release: () => rmSync(lockDir, { recursive: true, force: true }),
    };
  }
  throw new Error(`no free block of ${BLOCK_SIZE} ports in ${FIRST_PORT}-${FIRST_PORT + BLOCKS * BLOCK_SIZE - 1}`);
}

function takeLock(lockDir: string): boolean {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      mkdirSync(lockDir);
      writeFileSync(path.join(lockDir, 'pid'), String(process.pid));
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (ownerAlive(lockDir)) return false;
      rmSync(lockDir, { recursive: true, force: true }); // stale: its owner is gone
    }
  }
  return false;
}

function ownerAlive(lockDir: string): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(path.join(lockDir, 'pid'), 'utf8'));
  } catch {
    // Being created right now by its owner (mkdir done, pid not yet written) — unless that was long ago.
    try {
      return Date.now() - statSync(lockDir).mtimeMs < 60_000;
    } catch {
      return false;
    }
  }
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
