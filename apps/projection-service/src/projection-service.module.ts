import { DynamicModule, Inject, Injectable, Module, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Topics } from '@omni/contracts';
import { kafkaBrokers } from '@omni/config';
import {
  MESSAGE_HANDLERS,
  MESSAGE_OPENER,
  UNIT_PRELOAD,
  UnitPreload,
  MessageOpener,
  MessagePublisher,
  MessagingModule,
  OutboxHandOff,
  messageConsumerProvider,
  watchOutboxRelay,
} from '@omni/messaging';
import { EventOpener } from '@omni/personal-data';
import { HealthRegistry, LOGGER, Logger, MetricsRegistry, ObservabilityModule } from '@omni/observability';
import { DataSource } from 'typeorm';
import { DatabaseModule, TransactionRunner } from '@omni/persistence';
import { PROJECTION_SCHEMA, ProjectionServiceConfig } from './config';
import { PROJECTION_MIGRATIONS } from './migrations';
import { CommandAcceptedHandler, CommandOutcomeRecorder, CommandRejectedHandler } from './outcomes/command-outcome.recorder';
import { PROJECTORS } from './projectors';
import { openedKeys } from './projectors/opened-keys';
import { Projection, SNAPSHOTS_WRITTEN } from './projectors/projection';
import { ProjectionStore } from './read-model/projection-store';
import { preloadUnit } from './projectors/unit-preload';
import { ReadModel } from './read-model/read-model.provider';
import { ProfileSnapshotComposer } from './snapshots/profile-snapshot.composer';
import { ProfileSnapshots } from './snapshots/profile-snapshots';
import { SNAPSHOT_HAND_OFF, SnapshotOutbox } from './snapshots/snapshot-outbox';
import { SnapshotRelay } from './snapshots/snapshot-relay';

export const PROJECTION_CONSUMER_GROUP = 'projection-service';

/** Starts the snapshot relay after boot (watched by metrics and readiness) and flushes it on shutdown. */
@Injectable()
class SnapshotRelayLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    @Inject(SnapshotRelay) private readonly relay: SnapshotRelay,
    @Inject(HealthRegistry) private readonly health: HealthRegistry,
    @Inject(MetricsRegistry) private readonly metrics: MetricsRegistry,
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
 * Folds every event topic and the command outcomes into the read model, and publishes a profile
 * snapshot per changed user on `profile.snapshots` through the projection's own outbox.
 *
 * The projection's outbox is published by SnapshotRelay (the shared relay plus a header for
 * snapshot rows), started and flushed by SnapshotRelayLifecycle.
 */
@Module({})
export class ProjectionServiceModule {
  static register(config: ProjectionServiceConfig, logger: Logger): DynamicModule {
    return {
      module: ProjectionServiceModule,
      imports: [
        ObservabilityModule.forRoot(logger),
        DatabaseModule.register({
          url: config.DATABASE_URL,
          schema: PROJECTION_SCHEMA,
          applicationName: 'projection-service',
          migrations: PROJECTION_MIGRATIONS,
          poolSize: config.DATABASE_POOL_SIZE,
        }),
        MessagingModule.register({
          kafka: { brokers: kafkaBrokers(config), clientId: 'projection-service', topicPrefix: config.KAFKA_TOPIC_PREFIX },
        }),
      ],
      providers: [
        messageConsumerProvider({
          groupId: PROJECTION_CONSUMER_GROUP,
          // Outcomes last: in a unit of work, the events an outcome waits for are applied before it.
          topics: [Topics.profileEvents, Topics.deviceEvents, Topics.recipientEvents, Topics.commandOutcomes],
        }),
        {
          // Events arrive with their personal data sealed: open it with the subjects' keys (ADR 0009).
          provide: MESSAGE_OPENER,
          // In a consumer's batch, keys are read in its transaction: an erasure earlier in the batch
          // has deleted the user's key there, and the user's later events must no longer open.
          useFactory: (ds: DataSource, tx: TransactionRunner): MessageOpener => {
            const opener = new EventOpener();
            return (message) => {
              const batch = tx.shared();
              return batch ? opener.open(batch.em, message, openedKeys(batch)) : opener.open(ds, message);
            };
          },
          inject: [DataSource, TransactionRunner],
        },
        ReadModel,
        ProjectionStore,
        {
          // A unit's keys, entity versions and channel rows, read ahead.
          provide: UNIT_PRELOAD,
          useFactory: (store: ProjectionStore): UnitPreload => {
            const opener = new EventOpener();
            return (em, messages) => preloadUnit(store, opener, em, messages);
          },
          inject: [ProjectionStore],
        },
        ProfileSnapshotComposer,
        SnapshotOutbox,
        ProfileSnapshots,
        {
          provide: SnapshotRelay,
          useFactory: (ds: DataSource, publisher: MessagePublisher, log: Logger, metrics: MetricsRegistry) =>
            new SnapshotRelay(ds, publisher, log, {
              schema: PROJECTION_SCHEMA,
              pollIntervalMs: config.PROJECTION_RELAY_POLL_MS,
              onDeadLettered: (topic, reason) => metrics.deadLetters.inc({ topic, reason }),
            }),
          inject: [DataSource, MessagePublisher, LOGGER, MetricsRegistry],
        },
        { provide: SNAPSHOTS_WRITTEN, useFactory: (relay: SnapshotRelay) => () => relay.wake(), inject: [SnapshotRelay] },
        { provide: SNAPSHOT_HAND_OFF, useFactory: (relay: SnapshotRelay): OutboxHandOff => (rows) => relay.handOff(rows), inject: [SnapshotRelay] },
        SnapshotRelayLifecycle,
        CommandOutcomeRecorder,
        CommandAcceptedHandler,
        CommandRejectedHandler,
        Projection,
        ...PROJECTORS,
        {
          provide: MESSAGE_HANDLERS,
          useFactory: (...handlers: unknown[]) => handlers,
          inject: [CommandAcceptedHandler, CommandRejectedHandler, ...PROJECTORS],
        },
      ],
    };
  }
}
