import { DynamicModule, Global, Module } from '@nestjs/common';
import { HealthController, HealthRegistry } from './health';
import { MetricsRegistry } from './metrics';
import { Logger } from './logger';

/** Injection token of the app's pino logger. */
export const LOGGER = Symbol('LOGGER');

/** Health (`/health/live`, `/health/ready`), Prometheus `/metrics` and the JSON logger, for every app. */
@Global()
@Module({})
export class ObservabilityModule {
  static forRoot(logger: Logger): DynamicModule {
    return {
      module: ObservabilityModule,
      controllers: [HealthController],
      providers: [HealthRegistry, MetricsRegistry, { provide: LOGGER, useValue: logger }],
      exports: [HealthRegistry, MetricsRegistry, LOGGER],
    };
  }
}
