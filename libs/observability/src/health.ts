import { Controller, Get, HttpCode, HttpStatus, Injectable, Logger as NestLogger, Res, SetMetadata } from '@nestjs/common';
import { MetricsRegistry } from './metrics';

export type ReadinessCheck = () => Promise<void>;

export type CheckState = 'up' | 'down';

/** The body of `/health/ready`, 200 or 503 alike: every check by name, `up` or `down`. */
export interface Readiness {
  status: CheckState;
  checks: Record<string, CheckState>;
}

/**
 * Readiness checks registered by the modules that own a dependency (database, broker, consumer).
 *
 * A probe sees each check only as `up` or `down`: why one is down (a driver's message with host
 * and port, a consumer group id) is for the logs, written once when a check goes down and once
 * when it is back, not on every probe.
 */
@Injectable()
export class HealthRegistry {
  private readonly checks = new Map<string, ReadinessCheck>();
  private readonly last = new Map<string, CheckState>();
  private readonly log = new NestLogger('Health');

  register(name: string, check: ReadinessCheck): void {
    this.checks.set(name, check);
  }

  async run(timeoutMs = 3_000): Promise<{ ok: boolean; checks: Record<string, CheckState> }> {
    const results = await Promise.all(
      [...this.checks].map(async ([name, check]): Promise<[string, CheckState]> => {
        try {
          await withTimeout(check(), timeoutMs, `${name} check timed out after ${timeoutMs} ms`);
          this.changed(name, 'up');
          return [name, 'up'];
        } catch (error) {
          this.changed(name, 'down', error);
          return [name, 'down'];
        }
      }),
    );
    return { ok: results.every(([, state]) => state === 'up'), checks: Object.fromEntries(results) };
  }

  private changed(name: string, state: CheckState, error?: unknown): void {
    const before = this.last.get(name);
    this.last.set(name, state);
    if (state === 'down' && before !== 'down') {
      this.log.warn(`readiness check ${name} is down: ${error instanceof Error ? error.message : String(error)}`);
    } else if (state === 'up' && before === 'down') {
      this.log.log(`readiness check ${name} is up again`);
    }
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Metadata key marking a route open without credentials (health, metrics, docs). */
export const PUBLIC_ROUTE = 'omni:public-route';
export const PublicRoute = () => SetMetadata(PUBLIC_ROUTE, true);

@Controller()
@PublicRoute()
export class HealthController {
  constructor(
    private readonly health: HealthRegistry,
    private readonly metrics: MetricsRegistry,
  ) {}

  /** The process is up and its event loop answers. */
  @Get('health/live')
  @HttpCode(200)
  live(): { status: string } {
    return { status: 'up' };
  }

  /**
   * Every dependency answers: database, broker, consumers. Otherwise 503 with the same body, naming
   * the check that is down. Not an error thrown to the app's exception filter: an answer the
   * controller gives itself, so every app (the gateway with its error filter, the services with
   * Nest's) answers a probe alike.
   */
  @Get('health/ready')
  async ready(@Res({ passthrough: true }) reply: { status(code: number): unknown }): Promise<Readiness> {
    const { ok, checks } = await this.health.run();
    if (!ok) reply.status(HttpStatus.SERVICE_UNAVAILABLE);
    return { status: ok ? 'up' : 'down', checks };
  }

  @Get('metrics')
  async scrape(@Res() reply: { header(name: string, value: string): unknown; send(body: string): unknown }) {
    reply.header('content-type', this.metrics.registry.contentType);
    reply.send(await this.metrics.registry.metrics());
  }
}
