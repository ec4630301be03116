import { Inject, Injectable } from '@nestjs/common';
import { COMMAND_PROGRESS_CHANNEL, VisibleOutcomeNotice, parseProgressPayload } from '@omni/contracts';
import { OutcomeReads, OutcomeView } from '@omni/read-model';
import { PgListener } from '../database/pg-listener';

/**
 * A registered wait for a command's next notification (or the re-check time): resolves with the
 * outcome when the notification carried it, visible.
 */
export interface Expectation {
  promise: Promise<OutcomeView | undefined>;
  cancel(): void;
}

interface Waker {
  commandId: string;
  wake(outcome?: OutcomeView): void;
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
  private readonly wakers = new Map<string, Set<Waker>>();

  constructor(
    @Inject(OutcomeReads) private readonly outcomes: OutcomeReads,
    @Inject(PgListener) listener: PgListener,
  ) {
    // The correlation id of the messages that made progress, or a visible outcome (see `wait`).
    listener.subscribe(COMMAND_PROGRESS_CHANNEL, (payload) => {
      const { correlationId, outcome } = parseProgressPayload(payload);
      for (const waker of [...(this.wakers.get(correlationId) ?? [])]) {
        waker.wake(outcome?.commandId === waker.commandId ? viewOf(outcome) : undefined);
      }
    });
    // A notification may have been missed while the listener was away: everyone re-checks.
    listener.onReconnect(() => {
      for (const set of this.wakers.values()) for (const waker of [...set]) waker.wake();
    });
  }

  /** The outcome as the read model has it now, or undefined if the projection has not recorded it yet. */
  read(commandId: string, application: string): Promise<OutcomeView | undefined> {
    return this.outcomes.find(commandId, application);
  }

  /**
   * Listen for a command's progress before sending it. Its first notification can only come after
   * the send, so `wait` given this expectation waits for it before reading the outcome — one query
   * less than reading at once, which would find nothing. Cancel it if the command is not sent.
   * `correlationId` is the command's (its id unless the client named one).
   */
  expect(commandId: string, correlationId: string, timeoutMs: number): Expectation {
    return this.signal(commandId, correlationId, Math.min(RECHECK_MS, timeoutMs));
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
    const notified = await expected?.promise;
    if (notified) return notified;
    for (;;) {
      // Register before reading: a notification between the read and the wait is not lost.
      const signal = this.signal(commandId, correlationId, Math.min(RECHECK_MS, Math.max(0, deadline - Date.now())));
      const outcome = await this.read(commandId, application);
      if (outcome?.visible) {
        signal.cancel();
        return outcome;
      }
      if (Date.now() >= deadline) {
        signal.cancel();
        return undefined;
      }
      const delivered = await signal.promise;
      if (delivered) return delivered;
    }
  }

  private signal(commandId: string, correlationId: string, ms: number): Expectation {
    let resolve!: (outcome?: OutcomeView) => void;
    const promise = new Promise<OutcomeView | undefined>((done) => {
      resolve = done;
    });
    const timer = setTimeout(() => waker.wake(), ms);
    const waker: Waker = {
      commandId,
      wake: (outcome) => {
        clearTimeout(timer);
        const set = this.wakers.get(correlationId);
        set?.delete(waker);
        if (set && set.size === 0) this.wakers.delete(correlationId);
        resolve(outcome);
      },
    };
    const set = this.wakers.get(correlationId) ?? new Set();
    set.add(waker);
    this.wakers.set(correlationId, set);
    return { promise, cancel: () => waker.wake() };
  }
}

function viewOf(notice: VisibleOutcomeNotice | undefined): OutcomeView | undefined {
  return notice && { status: notice.status, commandType: notice.commandType, created: notice.created, result: notice.result, error: notice.error, visible: true };
}
