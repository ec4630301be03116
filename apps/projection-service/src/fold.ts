import { DataSource, EntityManager } from 'typeorm';
import { MessageType } from '@omni/contracts';
import { MessageHandler, handlerMap } from '@omni/messaging';
import { EventOpener } from '@omni/personal-data';
import { TransactionRunner } from '@omni/persistence';
import { createProjectors } from './projectors';
import { Projection, SnapshotsWritten } from './projectors/projection';
import { preloadUnit } from './projectors/unit-preload';
import { ProjectionStore } from './read-model/projection-store';
import { ReadModel } from './read-model/read-model.provider';
import { ProfileSnapshotComposer } from './snapshots/profile-snapshot.composer';
import { ProfileSnapshots } from './snapshots/profile-snapshots';
import { SnapshotOutbox } from './snapshots/snapshot-outbox';

export interface FoldOptions {
  /** The read model's schema (the live `projection`, or a rebuild). */
  schema: string;
  /** Publish profile snapshots (the live fold does; a rebuild does not). */
  snapshots: boolean;
  onSnapshotsWritten?: SnapshotsWritten;
}

/** The projection's fold outside Nest: every projector by event type, over a data source and schema. */
export interface Fold {
  handlers: Map<MessageType, MessageHandler>;
  model: ReadModel;
  composer: ProfileSnapshotComposer;
  snapshots?: ProfileSnapshots;
  /** What a consumer's unit of work runs first, with its messages as read (UNIT_PRELOAD). */
  preload: (em: EntityManager, messages: readonly Record<string, unknown>[]) => Promise<void>;
}

export function createFold(dataSource: DataSource, options: FoldOptions): Fold {
  const model = new ReadModel(options.schema);
  const composer = new ProfileSnapshotComposer(model);
  const snapshots = options.snapshots ? new ProfileSnapshots(model, composer, new SnapshotOutbox(model)) : undefined;
  const tx = new TransactionRunner(dataSource);
  const store = new ProjectionStore(model);
  const projection = new Projection(tx, store, model, snapshots, options.onSnapshotsWritten);
  const opener = new EventOpener();
  const preload = (em: EntityManager, messages: readonly Record<string, unknown>[]) => preloadUnit(store, opener, em, messages);
  return { handlers: handlerMap(createProjectors(projection)), model, composer, snapshots, preload };
}
