import 'reflect-metadata';
import { DynamicModule, INestApplication, Type, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { MessageConsumer, consumerServer } from '@omni/messaging';
import { Logger, MetricsRegistry, PinoNestLogger } from '@omni/observability';
import { DEFAULT_SHUTDOWN_TIMEOUT_MS, GracefulShutdown } from './shutdown';

export interface ServiceBootstrapOptions {
  name: string;
  module: Type<unknown> | DynamicModule;
  logger: Logger;
  port: number;
  host: string;
  /** Start the Kafka consumer of the app (if its messaging module declares one). */
  consume?: boolean;
  /** Let the app register HTTP hooks before it listens (the gateway's error filter, etc.). */
  configure?: (app: NestFastifyApplication) => void | Promise<void>;
  bodyLimitBytes?: number;
  /** The global validation pipe (default: whitelist + transform, Nest's error body). */
  validationPipe?: ValidationPipe;
  /** Longest a graceful shutdown may take before the process exits with code 1 (default 25 s). */
  shutdownTimeoutMs?: number;
}

/**
 * Create, configure and start one app: Fastify HTTP (health, metrics, and the gateway's API),
 * the Kafka consumer as a Nest microservice, graceful shutdown on SIGTERM/SIGINT (exit code 0).
 */
export async function bootstrapService(options: ServiceBootstrapOptions): Promise<INestApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(
    options.module,
    new FastifyAdapter({
      bodyLimit: options.bodyLimitBytes ?? 1_048_576,
      trustProxy: false,
      // Ids in paths are long (FCM tokens: about 160 characters; 512 accepted, percent-encoded up
      // to 3 bytes each): the router must hand them to validation, not 404 them at 100.
      routerOptions: { maxParamLength: 8_192 },
    }),
    { logger: new PinoNestLogger(options.logger), bufferLogs: false, abortOnError: false },
  );
  app.useGlobalPipes(
    options.validationPipe ?? new ValidationPipe({ whitelist: true, transform: true, forbidUnknownValues: true }),
  );
  // SIGTERM (orchestrators, docker stop) and SIGINT (Ctrl-C) only, not SIGHUP or SIGUSR2 (log
  // rotation, profilers). See GracefulShutdown for the order and the exit code.
  const shutdown = new GracefulShutdown(app, {
    name: options.name,
    logger: options.logger,
    timeoutMs: options.shutdownTimeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS,
    consume: options.consume ?? false,
  });
  shutdown.install();
  try {
    recordHttpMetrics(app);
    await options.configure?.(app);
    if (options.consume) {
      app.connectMicroservice({ strategy: consumerServer(app.get(MessageConsumer)) }, { inheritAppConfig: true });
      await app.startAllMicroservices();
    }
    await app.listen(options.port, options.host);
  } finally {
    shutdown.started();
  }
  options.logger.info({ url: await app.getUrl() }, `${options.name} started`);
  return app;
}

/** Latency of every request by method, route template (not the raw URL: bounded labels) and status. */
function recordHttpMetrics(app: NestFastifyApplication): void {
  const metrics = app.get(MetricsRegistry);
  const fastify = app.getHttpAdapter().getInstance();
  const started = new WeakMap<object, bigint>();
  fastify.addHook('onRequest', async (request) => {
    started.set(request, process.hrtime.bigint());
  });
  fastify.addHook('onResponse', async (request, reply) => {
    const start = started.get(request);
    if (start === undefined) return;
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.httpDuration.observe(
      { method: request.method, route, status: String(reply.statusCode) },
      Number(process.hrtime.bigint() - start) / 1e9,
    );
  });
}

/** Run `main`, logging a start-up failure as one JSON line and exiting non-zero. */
export function runMain(logger: Logger, main: () => Promise<unknown>): void {
  main().catch((error: unknown) => {
    logger.fatal({ err: error }, 'start-up failed');
    process.exitCode = 1;
    setTimeout(() => process.exit(1), 100).unref();
  });
}
