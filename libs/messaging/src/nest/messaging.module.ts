import {
  DynamicModule,
  Global,
  Inject,
  Injectable,
  Module,
  OnApplicationBootstrap,
  OnApplicationShutdown,
  OnModuleInit,
  Provider,
} from '@nestjs/common';
import { Kafka } from 'kafkajs';
import { DataSource, EntityManager } from 'typeorm';
import { HealthRegistry, LOGGER, Logger, MetricsRegistry } from '@omni/observability';
import { TransactionRunner } from '@omni/persistence';
import { Inbox } from '../inbox/inbox';
import { KafkaSettings, createKafka, qualify, unqualify } from '../kafka/kafka-settings';
import { MessagePublisher } from '../kafka/message-publisher';
import { MessageConsumer, MessageConsumerOptions, MessageOpener, UndecodableHook } from '../consumer/message-consumer';
import { Outbox } from '../outbox/outbox';
import { OutboxRelay } from '../outbox/outbox-relay';
import { MESSAGE_HANDLERS, MessageHandler, handlerMap } from './message-handler';
import { KafkaConsumerServer } from './kafka-consumer.server';

export const KAFKA_SETTINGS = Symbol('KAFKA_SETTINGS');
/** Optional provider of an UndecodableHook (command services answer a rejected outcome with it). */
export const UNDECODABLE_HOOK = Symbol('UNDECODABLE_HOOK');
/** Optional provider of a MessageOpener (the projection opens sealed personal data with it). */
export const MESSAGE_OPENER = Symbol('MESSAGE_OPENER');
/**
 * Optional provider of a UnitPreload: what a command service loads for a whole unit of work at
 * its start (the aggregates its commands change, their subjects' keys), in the unit's transaction.
 */
export const UNIT_PRELOAD = Symbol('UNIT_PRELOAD');
export type UnitPreload = (em: EntityManager, messages: Record<string, unknown>[]) => Promise<void>;

export interface MessagingModuleOptions {
  kafka: KafkaSettings;
  /** The service's schema: where its outbox and inbox live. Omit for an app without an outbox. */
  schema?: string;
  relayPollIntervalMs?: number;
}

/** Connects the shared producer at start, disconnects it last, reports it in readiness. */
@Injectable()
class ProducerLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(MessagePublisher) private readonly publisher: MessagePublisher,
    @Inject(Kafka) private readonly kafka: Kafka,
    @Inject(HealthRegistry) private readonly health: HealthRegistry,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.publisher.connect();
    this.health.register('kafka', async () => {
      const admin = this.kafka.admin({ retry: { retries: 0 } });
      await admin.connect();
      try {
        await admin.describeCluster();
      } finally {
        await admin.disconnect();
      }
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.publisher.disconnect();
  }
}

/** How long a relay may fail before readiness says so: a broker restart takes a few seconds. */
const RELAY_FAILING_UNREADY_MS = 15_000;

/**
 * Make an outbox relay visible: its backlog and how long it has been failing as metrics, and
 * readiness failing while it has been failing for longer than a broker restart takes. It
 * recovers by itself (it retries); readiness and the gauge follow.
 */
export function watchOutboxRelay(relay: OutboxRelay, health: HealthRegistry, metrics: MetricsRegistry, unreadyAfterMs = RELAY_FAILING_UNREADY_MS): void {
  metrics.gauge('outbox_backlog', 'Outbox rows written but not yet published', [], async (gauge) => {
    gauge.set(await relay.backlog());
  });
  metrics.gauge('outbox_relay_failing_seconds', 'Seconds the outbox relay has been failing to publish (0 while it publishes)', [], async (gauge) => {
    gauge.set(relay.failing().forMs / 1000);
  });
  health.register('outbox-relay', async () => {
    const { forMs, error } = relay.failing();
    if (forMs < unreadyAfterMs) return;
    const cause = error instanceof Error ? error.message : String(error);
    throw new Error(`outbox relay failing to publish for ${Math.round(forMs / 1000)} s: ${cause.slice(0, 200)}`);
  });
}

/** Starts the relay after boot and flushes it on shutdown (before the producer disconnects). */
@Injectable()
class RelayLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    @Inject(OutboxRelay) private readonly relay: OutboxRelay,
    @Inject(MetricsRegistry) private readonly metrics: MetricsRegistry,
    @Inject(HealthRegistry) private readonly health: HealthRegistry,
  ) {}

  onApplicationBootstrap(): void {
    watchOutboxRelay(this.relay, this.health, this.metrics);
    this.relay.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.relay.stop();
  }
}

/**
 * Kafka for one app: the producer, the outbox and its relay, the inbox, and (through
 * `consumerServer`) the consumer hosted as a Nest microservice transport.
 */
@Global()
@Module({})
export class MessagingModule {
  static register(options: MessagingModuleOptions): DynamicModule {
    const providers: DynamicModule['providers'] = [
      { provide: KAFKA_SETTINGS, useValue: options.kafka },
      { provide: Kafka, useFactory: (logger: Logger) => createKafka(options.kafka, logger), inject: [LOGGER] },
      { provide: MessagePublisher, useFactory: (kafka: Kafka) => new MessagePublisher(kafka, options.kafka), inject: [Kafka] },
      ProducerLifecycle,
    ];
    const exports: NonNullable<DynamicModule['exports']> = [KAFKA_SETTINGS, Kafka, MessagePublisher];
    if (options.schema) {
      const schema = options.schema;
      providers.push(
        { provide: Inbox, useValue: new Inbox(schema) },
        {
          provide: OutboxRelay,
          useFactory: (ds: DataSource, publisher: MessagePublisher, logger: Logger, metrics: MetricsRegistry) =>
            new OutboxRelay(ds, publisher, logger, {
              schema,
              pollIntervalMs: options.relayPollIntervalMs,
              onDeadLettered: (topic, reason) => metrics.deadLetters.inc({ topic, reason }),
            }),
          inject: [DataSource, MessagePublisher, LOGGER, MetricsRegistry],
        },
        { provide: Outbox, useFactory: (relay: OutboxRelay) => new Outbox(schema, (rows) => relay.handOff(rows)), inject: [OutboxRelay] },
        RelayLifecycle,
      );
      exports.push(Outbox, Inbox, OutboxRelay);
    }
    return { module: MessagingModule, providers, exports };
  }
}

/**
 * The app's consumer: a provider for the app's own module (next to its MESSAGE_HANDLERS and,
 * optionally, its UNDECODABLE_HOOK), hosted by `consumerServer` as a Nest microservice. With the
 * app's TransactionRunner it handles each fetch in units of one transaction (see MessageConsumer),
 * claiming a unit's message ids in the app's Inbox, if it has one, with one statement, then running
 * its UNIT_PRELOAD, if it has one.
 */
export function messageConsumerProvider(options: Omit<MessageConsumerOptions, 'handlerFor' | 'onUndecodable' | 'open' | 'unitOfWork' | 'beforeUnit'>): Provider {
  return {
    provide: MessageConsumer,
    useFactory: (
      kafka: Kafka,
      settings: KafkaSettings,
      publisher: MessagePublisher,
      logger: Logger,
      handlers: MessageHandler[],
      health: HealthRegistry,
      metrics: MetricsRegistry,
      onUndecodable?: UndecodableHook,
      open?: MessageOpener,
      tx?: TransactionRunner,
      inbox?: Inbox,
      preload?: UnitPreload,
    ) => {
      const byType = handlerMap(handlers);
      const consumer = new MessageConsumer(kafka, settings, publisher, logger, {
        ...options,
        onUndecodable,
        open,
        unitOfWork: tx && ((work) => tx.batch(work)),
        beforeUnit:
          tx &&
          (async ({ ids, messages }) => {
            const { em } = tx.shared()!;
            await inbox?.claimAll(em, options.groupId, ids);
            await preload?.(em, messages);
          }),
        observer: {
          handled: (topic, type, seconds) => {
            metrics.messagesHandled.inc({ topic, type, result: 'handled' });
            metrics.messageDuration.observe({ type }, seconds);
          },
          deadLettered: (topic, type, reason) => {
            metrics.messagesHandled.inc({ topic, type, result: 'dead-lettered' });
            metrics.deadLetters.inc({ topic, reason });
          },
        },
        handlerFor: (type) => {
          const handler = byType.get(type);
          return handler && ((message, context) => handler.handle(message as never, context));
        },
      });
      health.register('consumer', async () => {
        if (!consumer.healthy()) throw new Error(`consumer ${consumer.groupId} is not running`);
      });
      metrics.gauge('consumer_lag', 'Messages not yet consumed by this consumer group, per partition', ['topic', 'partition'], async (gauge) => {
        for (const { topic, partition, lag } of await consumerLag(kafka, settings, options.groupId, options.topics)) {
          gauge.set({ topic, partition: String(partition) }, lag);
        }
      });
      return consumer;
    },
    inject: [
      Kafka,
      KAFKA_SETTINGS,
      MessagePublisher,
      LOGGER,
      MESSAGE_HANDLERS,
      HealthRegistry,
      MetricsRegistry,
      { token: UNDECODABLE_HOOK, optional: true },
      { token: MESSAGE_OPENER, optional: true },
      { token: TransactionRunner, optional: true },
      { token: Inbox, optional: true },
      { token: UNIT_PRELOAD, optional: true },
    ],
  };
}

/** Per partition: the topic's end offset minus the group's committed offset. */
export async function consumerLag(
  kafka: Kafka,
  settings: KafkaSettings,
  groupId: string,
  topics: string[],
): Promise<{ topic: string; partition: number; lag: number }[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const qualified = topics.map((topic) => qualify(settings, topic));
    const committed = await admin.fetchOffsets({ groupId: qualify(settings, groupId), topics: qualified });
    const result: { topic: string; partition: number; lag: number }[] = [];
    for (const { topic, partitions } of committed) {
      const ends = await admin.fetchTopicOffsets(topic);
      for (const { partition, offset } of partitions) {
        const end = Number(ends.find((e) => e.partition === partition)?.high ?? 0);
        const done = Number(offset) < 0 ? Number(ends.find((e) => e.partition === partition)?.low ?? 0) : Number(offset);
        result.push({ topic: unqualify(settings, topic), partition, lag: Math.max(0, end - done) });
      }
    }
    return result;
  } finally {
    await admin.disconnect();
  }
}

/** The transport strategy to pass to `app.connectMicroservice({ strategy })`. */
export function consumerServer(consumer: MessageConsumer): KafkaConsumerServer {
  return new KafkaConsumerServer(consumer);
}
