import { LoggerService } from '@nestjs/common';
import pino, { DestinationStream, Logger, LoggerOptions } from 'pino';
import pretty from 'pino-pretty';
import { currentCorrelationId } from './correlation';

export type { Logger } from 'pino';

/** Keys whose values are personal data or secrets: the key is kept, its value never printed. */
export const REDACTED_KEYS = ['password', 'secret', 'authorization', 'email', 'phone', 'userName', 'userData', 'payload'] as const;

/**
 * Paths whose values are personal data or secrets: never printed. Messages are logged by
 * type and id, never by payload; these paths guard against a payload slipping in — each key at the
 * top of a log line's object and one level down (`{ user: { email } }`, `{ req: { headers: { … } } }`
 * through `headers.authorization`). A wildcard two levels deep (`*.*.email`) would cost every log
 * line about 10 µs (measured), so deeper values are kept out by logging ids, not objects.
 */
export const REDACTED_PATHS = [
  ...REDACTED_KEYS.flatMap((key) => [key, `*.${key}`]),
  'req.headers.authorization',
  // Database errors carry the statement's parameters and row details: personal data.
  'err.parameters',
  'err.detail',
  'err.driverError.parameters',
  'err.driverError.detail',
];

/**
 * How log lines are written: `json`, one object per line (what log collectors read), or `pretty`,
 * coloured lines for a person at a terminal. LOG_FORMAT decides; by default pretty when stdout is
 * a terminal (`npm start` asks for it when its own stdout is one).
 */
export function logFormat(env: NodeJS.ProcessEnv = process.env, isTerminal: boolean = process.stdout.isTTY === true): 'json' | 'pretty' {
  if (env.LOG_FORMAT === 'json' || env.LOG_FORMAT === 'pretty') return env.LOG_FORMAT;
  return isTerminal ? 'pretty' : 'json';
}

/**
 * Logs on stdout (or `destination`) with the service name and the current correlation id: JSON
 * lines, or pretty ones (see logFormat).
 */
export function createLogger(service: string, level: string = process.env.LOG_LEVEL ?? 'info', destination?: DestinationStream): Logger {
  const options: LoggerOptions = {
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    formatters: { level: (label) => ({ level: label }) },
    mixin: () => {
      const correlationId = currentCorrelationId();
      return correlationId ? { correlationId } : {};
    },
  };
  if (destination) return pino(options, destination);
  if (logFormat() === 'pretty') {
    // Synchronous, as pino's own stdout: a line is out before a process.exit().
    return pino(options, pretty({ sync: true, colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service' }));
  }
  return pino(options);
}

/** Nest's start-up narration (modules loaded, every route mapped): debug, not a wall of info lines. */
const NEST_STARTUP_CONTEXTS: ReadonlySet<string> = new Set(['NestFactory', 'InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestApplication', 'NestMicroservice']);

/** Nest's logger interface over pino, so framework messages are JSON lines too. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, context?: string): void {
    this.logger[context !== undefined && NEST_STARTUP_CONTEXTS.has(context) ? 'debug' : 'info']({ context }, String(message));
  }
  error(message: unknown, trace?: string, context?: string): void {
    this.logger.error({ context, trace }, String(message));
  }
  warn(message: unknown, context?: string): void {
    this.logger.warn({ context }, String(message));
  }
  debug(message: unknown, context?: string): void {
    this.logger.debug({ context }, String(message));
  }
  verbose(message: unknown, context?: string): void {
    this.logger.trace({ context }, String(message));
  }
}
