import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { COMMAND_PROGRESS_CHANNEL, FieldError } from '@omni/contracts';
import { PgListener } from '../database/pg-listener';

export interface OutcomeView {
  status: 'accepted' | 'rejected';
  commandType: string;
  created: boolean;
  result: Record<string, unknown> | null;
  error: { status: number; code: string; message: string; fields: FieldError[] } | null;
  /** The effect is in the read model (always true for a rejection). */
  visible: boolean;
}

/** A registered wait for a command's next notification (or the re-check time). */
export interface Expectation {
  promise: Promise<void>;
  cancel(): void;
}

/** How long a wait trusts notifications before it reads again anyway (one may be lost). */
const RECHECK_MS = 1_000;

/**
 * Waits until a command's outcome is visible in the read model.
 *
 * Every gateway instance LISTENs (PgListener); the projection NOTIFYs at commit, so whichever
 * instance holds the waiting request wakes at once, with no Kafka reply topics. A slow re-check
 * (1 s) covers a notification lost while the listening connection was being re-established.
 */
@Injectable()
export class OutcomeWaiter {
  private readonly wakers = new Map<string, Set<() => void>>();

  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(PgListener) listener: PgListener,
  ) {
    // The payload is the correlation id of the messages that made progress (see `wait`).
    listener.subscribe(COMMAND_PROGRESS_CHANNEL, (correlationId) => {
      for (const wake of [...(this.wakers.get(correlationId) ?? [])]) wake();
    });
    // A notification may have been missed while the listener was away: everyone re-checks.
    listener.onReconnect(() => {
      for (const set of this.wakers.values()) for (const wake of [...set]) wake();
    });
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
              (o.status = 'rejected'
                OR ((o.aggregate_version IS NULL OR o.aggregate_version = 0 OR v.version >= o.aggregate_version)
                    AND NOT EXISTS (
                      SELECT 1 FROM jsonb_to_recordset(o.other_aggregates) AS other("aggregateType" text, "aggregateId" text, version int)
                        LEFT JOIN projection.entity_versions ov
                          ON ov.application = o.application AND ov.entity_type = other."aggregateType" AND ov.entity_id = other."aggregateId"
                       WHERE ov.version IS NULL OR ov.version < other.version))) AS visible
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

  /**
   * Listen for a command's progress before sending it. Its first notification can only come after
   * the send, so `wait` given this expectation waits for it before reading the outcome — one query
   * less than reading at once, which would find nothing. Cancel it if the command is not sent.
   * `correlationId` is the command's (its id unless the client named one).
   */
  expect(correlationId: string, timeoutMs: number): Expectation {
    return this.signal(correlationId, Math.min(RECHECK_MS, timeoutMs));
  }

  /**
   * Resolve with the visible outcome, or undefined when `timeoutMs` passes first. The projection
   * notifies under the command's correlation id, which several commands share when a client sends
   * its own `X-Correlation-Id` with each: a wake-up for another of them only costs one more read.
   */
  async wait(
    commandId: string,
    application: string,
    timeoutMs: number,
    expected?: Expectation,
    correlationId: string = commandId,
  ): Promise<OutcomeView | undefined> {
    const deadline = Date.now() + timeoutMs;
    if (expected) await expected.promise;
    for (;;) {
      // Register before reading: a notification between the read and the wait is not lost.
      const signal = this.signal(correlationId, Math.min(RECHECK_MS, Math.max(0, deadline - Date.now())));
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

  private signal(correlationId: string, ms: number): Expectation {
    let wake!: () => void;
    const promise = new Promise<void>((resolve) => {
      wake = resolve;
    });
    const timer = setTimeout(() => finish(), ms);
    const finish = () => {
      clearTimeout(timer);
      const set = this.wakers.get(correlationId);
      set?.delete(finish);
      if (set && set.size === 0) this.wakers.delete(correlationId);
      wake();
    };
    const set = this.wakers.get(correlationId) ?? new Set();
    set.add(finish);
    this.wakers.set(correlationId, set);
    return { promise, cancel: finish };
  }
}
