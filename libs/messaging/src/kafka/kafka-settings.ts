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
        // Known start-up notices that are not problems here: the partitioner is the default on
        // purpose; idempotent producer retries are bounded so a send fails instead of hanging
        // (redeliveries are deduplicated by consumers).
        const notice = KNOWN_NOTICES.some((known) => message.startsWith(known));
        logger[notice ? 'debug' : (LEVELS[level] ?? 'info')]({ kafka: extra }, message);
      },
  });
}
