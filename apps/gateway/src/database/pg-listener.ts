import { Inject, Injectable, OnApplicationShutdown, OnModuleInit, Optional } from '@nestjs/common';
import { Client } from 'pg';
import { ClientTimeouts, clientOptions, quoteIdentifier } from '@omni/persistence';
import { HealthRegistry, LOGGER, Logger } from '@omni/observability';

export const DATABASE_URL = Symbol('DATABASE_URL');
/** Optional: the listener's connect and statement (LISTEN) timeouts; tests shorten them. */
export const LISTENER_TIMEOUTS = Symbol('LISTENER_TIMEOUTS');

/** A LISTEN is instant: one that has not answered in this long is on a dead connection. */
const LISTEN_TIMEOUT_MS = 10_000;

type Listener = (payload: string) => void;

/**
 * One PostgreSQL connection per gateway instance that LISTENs on the channels other parts of the
 * platform NOTIFY (command progress from the projection, application changes from any gateway).
 * After a lost connection it reconnects and tells every subscriber that notifications may have
 * been missed (`onReconnect`), so caches flush and waiters re-check.
 *
 * Connecting times out (CONNECT_TIMEOUT_MS) and TCP keep-alive is on: a connection whose server
 * vanished without closing it (a dropped network path) errors instead of silently waiting for
 * notifications that never come, and the listener reconnects.
 */
@Injectable()
export class PgListener implements OnModuleInit, OnApplicationShutdown {
  private client?: Client;
  private closing = false;
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly reconnectHooks = new Set<() => void>();

  constructor(
    @Inject(DATABASE_URL) private readonly databaseUrl: string,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(HealthRegistry) private readonly health: HealthRegistry,
    @Optional() @Inject(LISTENER_TIMEOUTS) private readonly timeouts: ClientTimeouts = {},
  ) {}

  async onModuleInit(): Promise<void> {
    await this.connect();
    this.health.register('database-listener', async () => {
      if (!this.client) throw new Error('not listening for notifications');
    });
  }

  async onApplicationShutdown(): Promise<void> {
    this.closing = true;
    await this.client?.end().catch(() => undefined);
  }

  /** Call `listener` with the payload of every NOTIFY on `channel` (subscribe from a constructor). */
  subscribe(channel: string, listener: Listener): void {
    const set = this.listeners.get(channel) ?? new Set();
    set.add(listener);
    this.listeners.set(channel, set);
    if (this.client && set.size === 1) void this.client.query(`LISTEN ${quoteIdentifier(channel)}`).catch(() => undefined);
  }

  onReconnect(hook: () => void): void {
    this.reconnectHooks.add(hook);
  }

  private async connect(): Promise<void> {
    const client = new Client({
      ...clientOptions(this.databaseUrl, { statementTimeoutMs: LISTEN_TIMEOUT_MS, ...this.timeouts }),
      application_name: 'gateway-listener',
    });
    client.on('notification', (message) => {
      for (const listener of this.listeners.get(message.channel) ?? []) listener(message.payload ?? '');
    });
    client.on('error', (error) => {
      this.logger.warn({ err: error }, 'notification listener lost its connection; reconnecting');
      this.client = undefined;
      client.end().catch(() => undefined);
      void this.reconnect();
    });
    // A failed attempt must not trigger a second reconnect loop through the 'error' listener.
    const abandon = () => {
      client.removeAllListeners('error');
      client.on('error', () => undefined);
    };
    try {
      // A timed-out or refused connect closes its own socket (ending the client then would not).
      await client.connect();
    } catch (error) {
      abandon();
      throw error;
    }
    try {
      for (const channel of this.listeners.keys()) await client.query(`LISTEN ${quoteIdentifier(channel)}`);
    } catch (error) {
      abandon();
      await client.end().catch(() => undefined);
      throw error;
    }
    this.client = client;
  }

  private async reconnect(): Promise<void> {
    for (let attempt = 0; !this.closing; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, Math.min(5_000, 200 * 2 ** attempt)));
      try {
        await this.connect();
        for (const hook of this.reconnectHooks) hook();
        return;
      } catch (error) {
        this.logger.warn({ err: error }, 'notification listener reconnect failed');
      }
    }
  }
}
