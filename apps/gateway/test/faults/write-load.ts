import { randomUUID } from 'node:crypto';
import { ApplicationCredentials } from '@omni/testing';

export type WriteKind = 'register-device' | 'assign-user' | 'add-email' | 'override-user-data';

/** One write as a client sees it, from its first attempt to its final answer. */
export interface Write {
  /** The Idempotency-Key every attempt of this write carries. */
  key: string;
  kind: WriteKind;
  /** The fault phase during which it was first sent. */
  phase: string;
  userId: string;
  deviceId?: string;
  email?: string;
  counter?: number;
  attempts: number;
  /** in-flight until answered; acknowledged = 2xx; rejected = another 4xx (a bug here); failed = retries exhausted. */
  status: 'in-flight' | 'acknowledged' | 'rejected' | 'failed';
  httpStatus?: number;
  /** Each attempt: when (ms after the first), which gateway, and its answer or error (the first and last few kept). */
  attemptLog: string[];
  sentAt: number;
  settledAt?: number;
}

export interface LoadOptions {
  /** Concurrent clients; each owns its users, so the writes of one user are sequential. */
  clients: number;
  usersPerClient: number;
  /** Give up retrying a write after this long (it then counts as failed). */
  retryForMs: number;
  /** One attempt's bound (a request whose gateway died must not hang the client). */
  attemptTimeoutMs: number;
  /** Pause between two writes of one client: the load is steady, not a flood. */
  pauseMs: number;
}

/** Statuses a client retries with the same Idempotency-Key: the request may or may not have been applied. */
const RETRIED_STATUSES = new Set([408, 429, 500, 502, 503, 504]);

/**
 * A steady stream of writes through the gateways, as backends would send them: every write has
 * its own Idempotency-Key; a network error, a timeout or a 5xx is retried with the same key,
 * with backoff, on the other gateway (a load balancer's behaviour), for a bounded time.
 *
 * Per client and user, a step is: register a device (SDK credentials), attach it to the user,
 * add an email contact, and set the user's `counter` to the step number. Writes are designed so
 * that the read model shows each acknowledged one (devices and contacts are new each time, the
 * counter only grows), and every write has exactly one command whose outcome a double application
 * would repeat.
 */
export class WriteLoad {
  readonly writes: Write[] = [];
  readonly users: string[];
  private phase = 'setup';
  private running = false;
  private loops: Promise<void>[] = [];
  private readonly inFlight = new Map<string, number>();
  private nextGateway = 0;
  private readonly run = randomUUID().slice(0, 8);
  /** The last step number of each client. */
  private readonly steps: number[] = [];

  constructor(
    private readonly gateways: string[],
    private readonly app: ApplicationCredentials,
    private readonly options: LoadOptions,
  ) {
    this.users = Array.from({ length: options.clients * options.usersPerClient }, (_, i) => `fault-${this.run}-u${i}`);
  }

  /** Create every user (counter 0) before the load starts. */
  async setup(): Promise<void> {
    this.phase = 'setup';
    await Promise.all(this.users.map((userId) => this.overrideCounter(userId, 0)));
    const failed = this.writes.filter((write) => write.status !== 'acknowledged');
    if (failed.length > 0) throw new Error(`setup writes not acknowledged: ${JSON.stringify(failed.slice(0, 3))}`);
  }

  /** Start the clients; their writes are labelled with `phase` until the next start. */
  start(phase: string): void {
    if (this.running) throw new Error('load already running');
    this.phase = phase;
    this.running = true;
    this.loops = Array.from({ length: this.options.clients }, (_, client) => this.client(client));
  }

  /** Stop sending new writes and wait for those in flight to settle (acknowledged, rejected or given up). */
  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
    this.loops = [];
  }

  /** Requests currently waiting for an answer from this gateway. */
  inFlightOn(gateway: string): number {
    return this.inFlight.get(gateway) ?? 0;
  }

  writesOf(phase: string): Write[] {
    return this.writes.filter((write) => write.phase === phase);
  }

  /**
   * Milliseconds from first send to the final answer of the writes first sent in [from, to); a
   * write still unanswered counts until now (a stalled write must not drop out of the figure).
   */
  latenciesSentIn(from: number, to: number): number[] {
    const now = Date.now();
    return this.writes.filter((write) => write.sentAt >= from && write.sentAt < to).map((write) => (write.settledAt ?? now) - write.sentAt);
  }

  private async client(client: number): Promise<void> {
    const users = this.users.slice(client * this.options.usersPerClient, (client + 1) * this.options.usersPerClient);
    // Step numbers grow per client across phases: devices and contacts are new, each user's counter only grows.
    while (this.running) {
      const step = (this.steps[client] = (this.steps[client] ?? 0) + 1);
      const userId = users[step % users.length];
      const deviceId = `fault-${this.run}-c${client}-d${step}`;
      const registered = await this.send({ kind: 'register-device', userId, deviceId }, 'POST', '/device', 'sdk', {
        deviceID: deviceId,
        platform: 'iOS',
        transport: 'APNS',
        language: 'en',
        region: 'NL',
      });
      let assigned = false;
      if (registered.status === 'acknowledged' && this.running) {
        await this.pause();
        const assignment = await this.send({ kind: 'assign-user', userId, deviceId }, 'PUT', `/device/${encodeURIComponent(deviceId)}/user`, 'master', {
          userID: userId,
          userName: `Fault ${userId}`,
        });
        assigned = assignment.status === 'acknowledged';
      }
      if (!this.running) break;
      await this.pause();
      const email = `c${client}-s${step}-${this.run}@faults.example.com`;
      await this.send({ kind: 'add-email', userId, email }, 'POST', '/email', 'master', { email, userID: userId, language: 'en', region: 'NL' });
      if (!this.running) break;
      await this.pause();
      // Every other counter through the user's new device: the device-service forwards it to the profile (ADR 0015).
      await this.overrideCounter(userId, step, assigned && step % 2 === 0 ? deviceId : undefined);
      await this.pause();
    }
  }

  private overrideCounter(userId: string, counter: number, viaDevice?: string): Promise<Write> {
    const path = viaDevice ? `/device/${encodeURIComponent(viaDevice)}/userdata` : `/user/foruserid/${encodeURIComponent(userId)}/userdata/override`;
    return this.send({ kind: 'override-user-data', userId, counter }, 'PUT', path, 'master', { userData: { counter } });
  }

  private async send(
    what: Pick<Write, 'kind' | 'userId' | 'deviceId' | 'email' | 'counter'>,
    method: string,
    path: string,
    credential: 'sdk' | 'master',
    body: unknown,
  ): Promise<Write> {
    const write: Write = { ...what, key: randomUUID(), phase: this.phase, attempts: 0, status: 'in-flight', attemptLog: [], sentAt: Date.now() };
    this.writes.push(write);
    const secret = credential === 'sdk' ? this.app.applicationSecret : this.app.masterSecret;
    const headers = {
      authorization: `Basic ${Buffer.from(`${this.app.applicationKey}:${secret}`).toString('base64')}`,
      'content-type': 'application/json',
      'idempotency-key': write.key,
    };
    const giveUpAt = write.sentAt + this.options.retryForMs;
    for (;;) {
      write.attempts += 1;
      const index = this.nextGateway++ % this.gateways.length;
      const gateway = this.gateways[index];
      const log = (what: string) => {
        write.attemptLog.push(`+${Date.now() - write.sentAt}ms gateway-${index + 1}: ${what}`);
        if (write.attemptLog.length > 8) write.attemptLog.splice(1, 1);
      };
      this.inFlight.set(gateway, this.inFlightOn(gateway) + 1);
      try {
        const response = await fetch(`${gateway}${path}`, {
          method,
          headers,
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(this.options.attemptTimeoutMs),
        });
        const text = await response.text();
        write.httpStatus = response.status;
        log(`${response.status} ${text.slice(0, 200)}`);
        if (response.status >= 200 && response.status < 300) return this.settle(write, 'acknowledged');
        if (!RETRIED_STATUSES.has(response.status)) return this.settle(write, 'rejected');
      } catch (error) {
        log(`${(error as Error).name}: ${(error as Error).message} ${String((error as { cause?: unknown }).cause ?? '')}`.trim());
      } finally {
        this.inFlight.set(gateway, this.inFlightOn(gateway) - 1);
      }
      if (Date.now() >= giveUpAt) return this.settle(write, 'failed');
      // Exponential backoff with jitter, capped: a real client does not hammer a recovering system.
      const backoff = Math.min(2_000, 100 * 2 ** Math.min(write.attempts - 1, 5));
      await new Promise((resolve) => setTimeout(resolve, backoff / 2 + Math.random() * (backoff / 2)));
    }
  }

  private settle(write: Write, status: Write['status']): Write {
    write.status = status;
    write.settledAt = Date.now();
    return write;
  }

  private pause(): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, this.options.pauseMs));
  }
}
