import { Controller, Get, HttpCode, HttpException, HttpStatus, Injectable, Res, SetMetadata } from '@nestjs/common';
import { MetricsRegistry } from './metrics';

export type ReadinessCheck = () => Promise<void>;

/** Readiness checks registered by the modules that own a dependency (database, broker, consumer). */
@Injectable()
export class HealthRegistry {
  private readonly checks = new Map<string, ReadinessCheck>();

  register(name: string, check: ReadinessCheck): void {
    this.checks.set(name, check);
  }

  async run(timeoutMs = 3_000): Promise<{ ok: boolean; checks: Record<string, string> }> {
    const results = await Promise.all(
      [...this.checks].map(async ([name, check]) => {
        try {
          await withTimeout(check(), timeoutMs, `${name} check timed out`);
          return [name, 'up'] as const;
        } catch (error) {
          return [name, `down: ${(error as Error).message}`] as const;
        }
      }),
    );
    return { ok: results.every(([, state]) => state === 'up'), checks: Object.fromEntries(results) };
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

  /** Every dependency answers: database, broker, consumers. 503 otherwise. */
  @Get('health/ready')
  async ready(): Promise<{ status: string; checks: Record<string, string> }> {
    const { ok, checks } = await this.health.run();
    if (!ok) throw new HttpException({ status: 'down', checks }, HttpStatus.SERVICE_UNAVAILABLE);
    return { status: 'up', checks };
  }

  @Get('metrics')
  async scrape(@Res() reply: { header(name: string, value: string): unknown; send(body: string): unknown }) {
    reply.header('content-type', this.metrics.registry.contentType);
    reply.send(await this.metrics.registry.metrics());
  }
}
