import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

const SECONDS_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * The process's Prometheus registry and the instruments every app shares. Gauges that must be
 * read from elsewhere (outbox backlog, consumer lag) are filled at scrape time by collectors that
 * the owning modules register.
 */
@Injectable()
export class MetricsRegistry {
  readonly registry = new Registry();

  readonly httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency by method, route template and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: SECONDS_BUCKETS,
    registers: [this.registry],
  });

  readonly messagesHandled = new Counter({
    name: 'messages_handled_total',
    help: 'Messages consumed, by topic, type and result (handled, dead-lettered)',
    labelNames: ['topic', 'type', 'result'] as const,
    registers: [this.registry],
  });

  readonly messageDuration = new Histogram({
    name: 'message_handling_duration_seconds',
    help: 'Time to handle one consumed message, by type',
    labelNames: ['type'] as const,
    buckets: SECONDS_BUCKETS,
    registers: [this.registry],
  });

  readonly deadLetters = new Counter({
    name: 'dead_letters_total',
    help: 'Messages moved to a dead-letter topic, by source topic and reason',
    labelNames: ['topic', 'reason'] as const,
    registers: [this.registry],
  });

  readonly commandsSent = new Counter({
    name: 'commands_sent_total',
    help: 'Commands the gateway published, by type',
    labelNames: ['type'] as const,
    registers: [this.registry],
  });

  readonly outcomeWait = new Histogram({
    name: 'command_outcome_wait_seconds',
    help: 'How long a write waited for its effect to be visible, by result (visible, timeout)',
    labelNames: ['result'] as const,
    buckets: SECONDS_BUCKETS,
    registers: [this.registry],
  });

  constructor() {
    // The event-loop lag is sampled by a timer: prom-client's default (every 10 ms) woke an idle app 100 times a second.
    collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: 100 });
  }

  /** A latency histogram (seconds) owned by one app; asking twice for one name gives the same one. */
  histogram<L extends string>(name: string, help: string, labelNames: readonly L[]): Histogram<L> {
    const existing = this.registry.getSingleMetric(name);
    if (existing) return existing as Histogram<L>;
    return new Histogram<L>({ name, help, labelNames, buckets: SECONDS_BUCKETS, registers: [this.registry] });
  }

  /** A gauge whose values are read when Prometheus scrapes (e.g. outbox backlog, consumer lag). */
  gauge<L extends string>(name: string, help: string, labelNames: readonly L[], collect: (gauge: Gauge<L>) => Promise<void>): Gauge<L> {
    return new Gauge<L>({
      name,
      help,
      labelNames,
      registers: [this.registry],
      async collect() {
        try {
          await collect(this);
        } catch {
          // A failing source (broker or database away) leaves the gauge empty rather than failing the scrape.
        }
      },
    });
  }
}
