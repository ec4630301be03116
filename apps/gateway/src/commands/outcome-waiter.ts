import { Inject, Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { FieldError } from '@omni/contracts';
import { HealthRegistry, LOGGER, Logger } from '@omni/observability';

/** PostgreSQL channel the projection notifies with a command id (see projection-service read-model.ts). */
export const COMMAND_PROGRESS_CHANNEL = 'omni_command_progress';

export const DATABASE_URL = Symbol('DATABASE_URL');

export interface OutcomeView {
  status: 'accepted' | 'rejected';
  commandType: string;
  created: boolean;
  result: Record<string, unknown> | null;
  error: { status: number; code: string; message: string; fields: FieldError[] } | null;
  /** The effect is in the read model (always true for a rejection). */
  visible: boolean;
}

/**
 * Waits until a command's outcome is visible in the read model.
 *
 * Every gateway instance LISTENs on one PostgreSQL connection; the projection NOTIFYs at commit,
 * so whichever instance holds the waiting request wakes at once, with no Kafka reply topics. A slow
 * re-check covers a notification lost while the listening connection was being re-established.
 */
@Injectable()
export class OutcomeWaiter implements OnModuleInit, OnApplicationShutdown {
  private listener?: Client;
  private readonly wakers = new Map<string, Set<() => void>>();
  private closing = false;

  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(DATABASE_URL) private readonly databaseUrl: string,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(HealthRegistry) private readonly health: HealthRegistry,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.listen();
    this.health.register('outcome-listener', async () => {
      if (!this.listener) throw new Error('not listening for command outcomes');
    });
  }

  async onApplicationShutdown(): Promise<void> {
    this.closing = true;
    await this.listener?.end().catch(() => undefined);
  }

  /** The outcome as the read model has it now, or undefined if the projection has not recorded it yet. */
  async read(commandId: string, application: string): Promise<OutcomeView | undefined> {
    const rows: {
      status: 'accepted' | 'rejected';
      command_type: string;
      created: boolean;
      result: Record<string, unknown> | null;
      error: OutcomeView['error'];
      visible: boolean;
    }[] = await this.dataSource.query(
      `SELECT o.status, o.command_type, o.created, o.result, o.error,
              (o.status = 'rejected' OR o.aggregate_version IS NULL OR o.aggregate_version = 0
                OR v.version >= o.aggregate_version) AS visible
         FROM projection.command_outcomes o
         LEFT JOIN projection.entity_versions v
           ON v.application = o.application AND v.entity_type = o.aggregate_type AND v.entity_id = o.aggregate_id
        WHERE o.command_id = $1 AND o.application = $2`,
      [commandId, application],
    );
    const row = rows[0];
    return (
      row && {
        status: row.status,
        commandType: row.command_type,
        created: row.created,
        result: row.result,
        error: row.error,
        visible: row.visible === true,
      }
    );
  }

  /** Resolve with the visible outcome, or undefined when `timeoutMs` passes first. */
  async wait(commandId: string, application: string, timeoutMs: number): Promise<OutcomeView | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      // Register before reading: a notification between the read and the wait is not lost.
      const signal = this.signal(commandId, Math.min(1_000, Math.max(0, deadline - Date.now())));
      const outcome = await this.read(commandId, application);
      if (outcome?.visible) {
        signal.cancel();
        return outcome;
      }
      if (Date.now() >= deadline) {
        signal.cancel();
        return undefined;
      }
      await signal.promise;
    }
  }

  private signal(commandId: string, ms: number): { promise: Promise<void>; cancel(): void } {
    let wake!: () => void;
    const promise = new Promise<void>((resolve) => {
      wake = resolve;
    });
    const timer = setTimeout(() => finish(), ms);
    const finish = () => {
      clearTimeout(timer);
      const set = this.wakers.get(commandId);
      set?.delete(finish);
      if (set && set.size === 0) this.wakers.delete(commandId);
      wake();
    };
    const set = this.wakers.get(commandId) ?? new Set();
    set.add(finish);
    this.wakers.set(commandId, set);
    return { promise, cancel: finish };
  }

  private async listen(): Promise<void> {
    const client = new Client({ connectionString: this.databaseUrl, application_name: 'gateway-outcome-listener' });
    client.on('notification', (message) => {
      if (!message.payload) return;
      for (const wake of [...(this.wakers.get(message.payload) ?? [])]) wake();
    });
    client.on('error', (error) => {
      this.logger.warn({ err: error }, 'outcome listener lost its connection; reconnecting');
      this.listener = undefined;
      client.end().catch(() => undefined);
      void this.reconnect();
    });
    await client.connect();
    await client.query(`LISTEN ${COMMAND_PROGRESS_CHANNEL}`);
    this.listener = client;
  }

  private async reconnect(): Promise<void> {
    for (let attempt = 0; !this.closing; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, Math.min(5_000, 200 * 2 ** attempt)));
      try {
        await this.listen();
        // Wake everyone: a notification may have been missed while disconnected.
        for (const set of this.wakers.values()) for (const wake of [...set]) wake();
        return;
      } catch (error) {
        this.logger.warn({ err: error }, 'outcome listener reconnect failed');
      }
    }
  }
}
