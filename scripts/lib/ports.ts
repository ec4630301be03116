import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { createServer } from 'node:net';

/** A port something else listens on, and which process that is when this machine tells (Linux). */
export interface BusyPort {
  port: number;
  pid?: number;
  command?: string;
}

/** The ports of `ports` that cannot be listened on at `host` now, with the process holding each. */
export async function busyPorts(ports: readonly number[], host: string): Promise<BusyPort[]> {
  const busy: BusyPort[] = [];
  for (const port of ports) {
    if (await canListen(port, host)) continue;
    busy.push({ port, ...holderOf(port) });
  }
  return busy;
}

/** `port 3000 (gateway) is in use by pid 1234: node dist/apps/gateway/src/main.js` */
export function describeBusyPort(busy: BusyPort, purpose: string): string {
  const holder = busy.pid === undefined ? 'by another process' : `by pid ${busy.pid}${busy.command ? `: ${busy.command}` : ''}`;
  return `port ${busy.port} (${purpose}) is in use ${holder}`;
}

function canListen(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** The listening socket's owner, from /proc: the socket inode of the port, then the process holding it. */
function holderOf(port: number): { pid?: number; command?: string } {
  try {
    const inodes = new Set(['/proc/net/tcp', '/proc/net/tcp6'].flatMap((table) => listeningInodes(table, port)));
    if (inodes.size === 0) return {};
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      let descriptors: string[];
      try {
        descriptors = readdirSync(`/proc/${entry}/fd`);
      } catch {
        continue; // gone, or not ours to read
      }
      for (const fd of descriptors) {
        let target: string;
        try {
          target = readlinkSync(`/proc/${entry}/fd/${fd}`);
        } catch {
          continue;
        }
        const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
        if (inode && inodes.has(inode)) {
          const command = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
          return { pid: Number(entry), command: command.length > 160 ? `${command.slice(0, 157)}...` : command };
        }
      }
    }
  } catch {
    // Not Linux, or /proc not readable: the port alone is said.
  }
  return {};
}

/** Inodes of the sockets in LISTEN state (0A) on `port` in one of /proc/net's tables. */
function listeningInodes(table: string, port: number): string[] {
  let text: string;
  try {
    text = readFileSync(table, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .slice(1)
    .map((line) => line.trim().split(/\s+/))
    .filter((fields) => fields.length > 9 && fields[3] === '0A' && parseInt(fields[1].split(':')[1], 16) === port)
    .map((fields) => fields[9]);
}
