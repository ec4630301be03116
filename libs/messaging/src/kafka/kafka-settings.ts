import { Kafka, logLevel, LogEntry } from 'kafkajs';
import type { Logger } from '@omni/observability';

/** How an app reaches Kafka. All names (topics, groups) go through `qualify` so a prefix can namespace them. */
export interface KafkaSettings {
  brokers: string[];
  clientId: string;
  /** Namespace for topics and consumer groups ('' in production; tests set one per run). */
  topicPrefix: string;
}

export function qualify(settings: Pick<KafkaSettings, 'topicPrefix'>, name: string): string {
  return `${settings.topicPrefix}${name}`;
}

/** Strip the namespace from a topic name as received from the broker. */
export function unqualify(settings: Pick<KafkaSettings, 'topicPrefix'>, name: string): string {
  return settings.topicPrefix && name.startsWith(settings.topicPrefix) ? name.slice(settings.topicPrefix.length) : name;
}

const LEVELS: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

const KNOWN_NOTICES = ['KafkaJS v2.0.0 switched default partitioner', 'Limiting retries for the idempotent producer'];

// kafkajs's own table of protocol errors (not in its typings).
const { errorCodes } = require('kafkajs/src/protocol/error') as { errorCodes: { message: string; retriable: boolean }[] };
/**
 * A broker's answer that kafkajs retries by itself ("The group coordinator is not available" while
 * a group's coordinator loads, at every start): not an error of the app. kafkajs logs it at error
 * level; past its retries it throws, and that failure is logged as an error where it is handled.
 */
export const RETRIABLE_BROKER_ERRORS: ReadonlySet<string> = new Set(errorCodes.filter((code) => code.retriable).map((code) => code.message));

/** The level a kafkajs log line is written at in the app's log. */
export function kafkaLogLevel(level: logLevel, message: string, extra: Record<string, unknown>): 'error' | 'warn' | 'info' | 'debug' {
  // The partitioner is the default on purpose; idempotent producer retries are bounded so a send
  // fails instead of hanging (redeliveries are deduplicated by consumers).
  if (KNOWN_NOTICES.some((known) => message.startsWith(known))) return 'debug';
  if (typeof extra.error === 'string' && RETRIABLE_BROKER_ERRORS.has(extra.error)) return 'debug';
  // A consumer that stopped on such an answer and restarts itself (kafkajs's "Crash: …" and
  // "Restarting the consumer in …"): a warning, as the consumer's own line about it.
  const crash = /^Crash: \w+: (.*)$/.exec(message);
  if ((crash && RETRIABLE_BROKER_ERRORS.has(crash[1])) || message.startsWith('Restarting the consumer in')) return 'warn';
  return LEVELS[level] ?? 'info';
}

/** A kafkajs client whose own log lines go to the app's JSON logger (warnings and errors only). */
export function createKafka(settings: KafkaSettings, logger: Logger): Kafka {
  return new Kafka({
    clientId: settings.clientId,
    brokers: settings.brokers,
    connectionTimeout: 5_000,
    requestTimeout: 30_000,
    retry: { initialRetryTime: 200, retries: 8, maxRetryTime: 5_000 },
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log }: LogEntry) => {
        const { message, ...extra } = log;
        logger[kafkaLogLevel(level, message, extra)]({ kafka: extra }, message);
      },
  });
}
