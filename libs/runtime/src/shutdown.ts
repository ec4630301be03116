import { INestApplication } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { MessageConsumer, OutboxRelay } from '@omni/messaging';
import { Logger, MetricsRegistry } from '@omni/observability';

/** Longest a shutdown may take by default: below the 30 s that orchestrators give before SIGKILL. */
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 25_000;

/** The signals an app stops on: SIGTERM (orchestrators, docker stop) and SIGINT (Ctrl-C). */
const SHUTDOWN_SIGNALS: NodeJS.Signals[] = ['SIGTERM', 'SIGINT'];

/**
 * Graceful shutdown of one app, in the order that loses nothing:
 *
 * 1. HTTP: the listening socket closes (new connections are refused), requests in flight run to
 *    their answer — a gateway write still waits for its outcome — and their keep-alive connections
 *    close after it (`Connection: close`).
 * 2. Kafka consumer (fastify's onClose, once the server is closed): the batch in hand is finished,
 *    its offsets are committed, the member leaves the group (its partitions move at once).
 * 3. Outbox relay: everything committed so far — the last batch's events and outcomes included —
 *    is published.
 * 4. The rest of Nest's shutdown hooks: producer, PostgreSQL listener, database pool.
 *
 * Nest's own `enableShutdownHooks` is not used: it re-raises the signal after closing, so the
 * process dies by the signal (what a kill looks like from outside) instead of exiting with 0, it
 * has no time bound, and it runs the relay's flush and the producer's disconnect side by side
 * (one module's hooks run in parallel). Here a signal closes the app and exits with code 0, or
 * with code 1 if closing failed or took longer than `timeoutMs`; one line `<name> shutdown
 * complete` says what was drained.
 */
export class GracefulShutdown {
  private stopping = false;
  private closing = false;
  private readonly inFlight = new Set<object>();
  private answeredWhileClosing = 0;
  private readonly drained: { messagesHandled?: number; outboxLeft?: number } = {};
  /** Messages handled when the close began (the consumer keeps going while HTTP drains). */
  private handledAtClose = 0;
  private readonly listener = (signal: NodeJS.Signals) => void this.shutDown(signal);
  private ready: Promise<void>;
  private markReady!: () => void;

  constructor(
    private readonly app: NestFastifyApplication,
    private readonly options: { name: string; logger: Logger; timeoutMs: number; consume: boolean },
  ) {
    this.ready = new Promise<void>((resolve) => (this.markReady = resolve));
  }

  /** Register the HTTP hooks (before the routes) and the signal handlers. */
  install(): void {
    const fastify = this.app.getHttpAdapter().getInstance();
    fastify.addHook('onRequest', async (request) => {
      this.inFlight.add(request);
    });
    fastify.addHook('onResponse', async (request) => {
      if (this.inFlight.delete(request) && this.closing) this.answeredWhileClosing += 1;
    });
    fastify.addHook('onRequestAbort', async (request) => {
      this.inFlight.delete(request);
    });
    // Without it an answered keep-alive connection stays open, and the server's close waits for
    // the client to drop it (up to the keep-alive timeout).
    fastify.addHook('onSend', async (_request, reply, payload) => {
      if (this.closing) reply.header('connection', 'close');
      return payload;
    });
    fastify.addHook('preClose', async () => {
      this.closing = true;
      this.handledAtClose = await this.messagesHandled();
    });
    fastify.addHook('onClose', async () => {
      await this.drainMessaging();
      // Closed by the code (a test's app.close()), not by a signal: stop listening for signals.
      if (!this.stopping) for (const signal of SHUTDOWN_SIGNALS) process.removeListener(signal, this.listener);
    });
    for (const signal of SHUTDOWN_SIGNALS) process.on(signal, this.listener);
    // Started by a supervisor with an IPC channel (`npm start`): its end, even by SIGKILL, stops the app.
    if (process.channel) process.once('disconnect', () => void this.shutDown('disconnect'));
  }

  /** The app finished starting (or failed to): a signal that came meanwhile may close it now. */
  started(): void {
    this.markReady();
  }

  /** `disconnect`: the supervisor that started the app (over IPC) has ended. */
  private async shutDown(signal: NodeJS.Signals | 'disconnect'): Promise<void> {
    const { name, logger, timeoutMs } = this.options;
    if (this.stopping) {
      logger.warn({ signal }, `${name} is already shutting down`);
      return;
    }
    this.stopping = true;
    this.closing = true;
    const startedAt = Date.now();
    const requestsInFlight = this.inFlight.size;
    logger.info({ signal, requestsInFlight, timeoutMs }, `${name} shutting down`);
    const timer = setTimeout(() => {
      logger.error({ signal, timeoutMs, requestsInFlight: this.inFlight.size }, `${name} shutdown timed out; exiting`);
      process.exit(1);
    }, timeoutMs);
    try {
      await this.ready;
      await this.app.close();
    } catch (error) {
      clearTimeout(timer);
      logger.error({ err: error }, `${name} shutdown failed`);
      process.exit(1);
    }
    clearTimeout(timer);
    logger.info(
      {
        signal,
        durationMs: Date.now() - startedAt,
        requestsInFlight,
        requestsAnswered: this.answeredWhileClosing,
        ...this.drained,
      },
      `${name} shutdown complete`,
    );
    // pino writes stdout synchronously: the line is out before the process ends.
    process.exit(0);
  }

  /** Steps 2 and 3: stop the consumer (commits its offsets), then flush the outbox. */
  private async drainMessaging(): Promise<void> {
    const consumer = this.options.consume ? optional(this.app, MessageConsumer) : undefined;
    if (consumer) {
      await consumer.stop();
      this.drained.messagesHandled = (await this.messagesHandled()) - this.handledAtClose;
    }
    const relay = optional(this.app, OutboxRelay);
    if (relay) {
      await relay.stop();
      this.drained.outboxLeft = await relay.backlog().catch(() => undefined);
      if (this.drained.outboxLeft) {
        this.options.logger.warn({ outboxLeft: this.drained.outboxLeft }, 'outbox not empty at shutdown; the next start publishes it');
      }
    }
  }

  /** Messages this process handled or dead-lettered so far (its metrics counter). */
  private async messagesHandled(): Promise<number> {
    const metrics = optional(this.app, MetricsRegistry);
    if (!metrics) return 0;
    return (await metrics.messagesHandled.get()).values.reduce((sum, { value }) => sum + value, 0);
  }
}

/**
 * The app's provider that is a `type` (a subclass too: the projection's relay is a SnapshotRelay),
 * if it has one. Not `app.get`: a missing provider is an error Nest logs before it throws.
 */
function optional<T>(app: INestApplication, type: abstract new (...args: never[]) => T): T | undefined {
  for (const module of app.get(ModulesContainer).values()) {
    for (const provider of module.providers.values()) if (provider.instance instanceof type) return provider.instance as T;
  }
  return undefined;
}
