import { Inject, Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Client } from 'pg';
import { quoteIdentifier } from '@omni/persistence';
import { HealthRegistry, LOGGER, Logger } from '@omni/observability';

export const DATABASE_URL = Symbol('DATABASE_URL');

type Listener = (payload: string) => void;

/**
 * One PostgreSQL connection per gateway instance that LISTENs on the channels other parts of the
 * platform NOTIFY (command progress from the projection, application changes from any gateway).
 * After a lost connection it reconnects and tells every subscriber that notifications may have
 * been missed (`onReconnect`), so caches flush and waiters re-check.
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
    const client = new Client({ connectionString: this.databaseUrl, application_name: 'gateway-listener' });
    client.on('notification', (message) => {
      for (const listener of this.listeners.get(message.channel) ?? []) listener(message.payload ?? '');
    });
    client.on('error', (error) => {
      this.logger.warn({ err: error }, 'notification listener lost its connection; reconnecting');
      this.client = undefined;
      client.end().catch(() => undefined);
      void this.reconnect();
    });
    await client.connect();
    for (const channel of this.listeners.keys()) await client.query(`LISTEN ${quoteIdentifier(channel)}`);
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
