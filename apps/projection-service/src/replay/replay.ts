import { randomBytes } from 'node:crypto';
import { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import { DataSource, EntityManager, QueryRunner } from 'typeorm';
import { Topics, UndecodableMessage, decodeEnvelope, messageKey, parseMessage } from '@omni/contracts';
import { EventOpener } from '@omni/personal-data';
import { KafkaSettings, createKafka, qualify, unqualify } from '@omni/messaging';
import type { Logger } from '@omni/observability';
import { TransactionRunner, createServiceDataSource, migrateServiceSchema, quoteIdentifier } from '@omni/persistence';
import { readModelTables } from '@omni/read-model';
import { PROJECTION_SCHEMA } from '../config';
import { Fold, createFold } from '../fold';
import { PROJECTION_MIGRATIONS } from '../migrations';
import { openedKeys } from '../projectors/opened-keys';

/** The topics the read model is folded from. They must keep their whole history (`retention.ms=-1`). */
export const REPLAYED_TOPICS = [Topics.deviceEvents, Topics.recipientEvents, Topics.profileEvents] as const;
export const REBUILD_SCHEMA = 'projection_rebuild';

export interface ReplayProgress {
  phase: 'rebuilding' | 'catching-up' | 'swapping' | 'done';
  /** Events folded into the rebuild (including those of earlier, interrupted runs). */
  done: number;
  /** Events in the topics (end offsets minus start offsets). */
  total: number;
  /** Events per second in this run. */
  eventsPerSecond: number;
  /** Seconds left at this pace (null before the pace is known). */
  etaSeconds: number | null;
}

export interface ReplayOptions {
  databaseUrl: string;
  kafka: KafkaSettings;
  logger: Logger;
  /** Start over: drop a rebuild left by an interrupted run instead of resuming it. */
  restart?: boolean;
  /**
   * Rebuild even though an event topic partition no longer starts at offset 0 (retention or
   * deleteRecords removed its beginning): the rebuilt read model then lacks that history. Without
   * it the replay refuses (TruncatedHistoryError) and changes nothing.
   */
  allowTruncatedHistory?: boolean;
  /** Keep the replaced read model as `projection_retired_<time>` instead of dropping it. */
  keepOld?: boolean;
  onProgress?: (progress: ReplayProgress) => void;
  /** Events folded in one transaction at most (REPLAY_UNIT_EVENTS unless set: tests set fewer). */
  unitEvents?: number;
  /** Stop (as an interruption would) once this many events were folded in this run: for tests. */
  stopAfterEvents?: number;
  /** Abort from outside (Ctrl-C): the run stops after the batch in progress; run again to resume. */
  signal?: AbortSignal;
  liveSchema?: string;
  rebuildSchema?: string;
}

export interface ReplayResult {
  /** False when the run was interrupted (resume by running it again). */
  swapped: boolean;
  /** Events folded in this run, and how long that took. */
  events: number;
  seconds: number;
  eventsPerSecond: number;
  /** Messages skipped: undecodable (they went to the dead-letter topic live too), or failing their projector. */
  skipped: number;
}

type Offsets = Map<string, number>; // "<topic>|<partition>" → offset
const slot = (topic: string, partition: number) => `${topic}|${partition}`;

/** An event topic partition whose first records are gone: `firstOffset` is its low watermark. */
export interface TruncatedPartition {
  topic: string;
  partition: number;
  /** Where the partition starts now. */
  firstOffset: number;
  /** Where the rebuild needs it to start: 0, or the checkpoint of an interrupted run. */
  neededFrom: number;
}

/** The replay refuses to rebuild from event topics that lost part of their history. */
export class TruncatedHistoryError extends Error {
  constructor(readonly partitions: TruncatedPartition[]) {
    super(
      `refusing to replay: the history of ${partitions
        .map((p) => `topic ${p.topic} partition ${p.partition} (starts at offset ${p.firstOffset}, needed from ${p.neededFrom})`)
        .join(', ')} was deleted (retention or deleteRecords), so the rebuilt read model would miss those events. ` +
        'Event topics must keep their whole history (retention.ms=-1, see docs/operations.md). ' +
        'To rebuild from what is left anyway, run again with --allow-truncated-history.',
    );
    this.name = 'TruncatedHistoryError';
  }
}

/**
 * The partitions whose low watermark is past the first offset the rebuild still needs: offset 0 on
 * a fresh rebuild, the checkpoint (next offset to fold) of a partition an interrupted run resumes.
 */
export function truncatedPartitions(lowWatermarks: Offsets, checkpoints: Offsets): TruncatedPartition[] {
  const truncated: TruncatedPartition[] = [];
  for (const [key, low] of lowWatermarks) {
    const neededFrom = checkpoints.get(key) ?? 0;
    if (low <= neededFrom) continue;
    const separator = key.lastIndexOf('|');
    truncated.push({ topic: key.slice(0, separator), partition: Number(key.slice(separator + 1)), firstOffset: low, neededFrom });
  }
  return truncated.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
}

/**
 * Rebuilds the read model from the event topics next to the live one, then swaps it in.
 *
 * 0. Refuses (TruncatedHistoryError, before anything changes) when a partition of the event topics
 *    starts after the first offset the rebuild needs, unless `allowTruncatedHistory`.
 * 1. `projection_rebuild` is made with the live DDL (the same migrations) unless a previous run left
 *    one: then it resumes from its checkpoints (next offset per topic partition, committed in the
 *    transaction of each batch, so an interruption at any point loses nothing and doubles nothing).
 * 2. Every event of device.events, recipient.events and profile.events is folded by the same
 *    projectors as live, a whole Kafka batch per transaction, without publishing snapshots.
 * 3. Swap: in one transaction, the live tables are locked against writes (reads go on), the rebuild
 *    catches up to the topics' ends, the live-only state is carried over (command outcomes, snapshot
 *    versions, unpublished snapshots), and the schemas are renamed: `projection` is then the rebuild.
 *    A live projector blocked on the lock re-resolves its tables after the rename, so nothing the
 *    live consumer applies is lost.
 */
export async function replay(options: ReplayOptions): Promise<ReplayResult> {
  const live = options.liveSchema ?? PROJECTION_SCHEMA;
  const rebuild = options.rebuildSchema ?? REBUILD_SCHEMA;
  const started = Date.now();
  const dataSource = createServiceDataSource({
    url: options.databaseUrl,
    schema: rebuild,
    applicationName: 'projection-replay',
    migrations: PROJECTION_MIGRATIONS,
    poolSize: 4,
  });
  await dataSource.initialize();
  const kafka = createKafka(options.kafka, options.logger);
  let consumer: Consumer | undefined;
  try {
    const checkpoints = `${quoteIdentifier(rebuild)}.replay_checkpoints`;
    let { starts, ends } = await topicOffsets(kafka, options.kafka);
    // Before anything changes: a rebuild from truncated topics would silently lack history.
    const next: Offsets = options.restart ? new Map() : await savedCheckpoints(dataSource, rebuild);
    const truncated = truncatedPartitions(starts, next);
    if (truncated.length > 0) {
      const named = truncated.map((p) => ({ ...p, topic: qualify(options.kafka, p.topic) }));
      if (!options.allowTruncatedHistory) throw new TruncatedHistoryError(named);
      options.logger.warn({ truncated: named }, 'replaying event topics whose history was partly deleted (--allow-truncated-history)');
    }

    if (options.restart) await dataSource.query(`DROP SCHEMA IF EXISTS ${quoteIdentifier(rebuild)} CASCADE`);
    await migrateServiceSchema(dataSource, rebuild);
    await dataSource.query(`CREATE TABLE IF NOT EXISTS ${checkpoints} (
      topic text NOT NULL, partition integer NOT NULL, next_offset bigint NOT NULL, PRIMARY KEY (topic, partition))`);
    for (const [key, start] of starts) if ((next.get(key) ?? -1) < start) next.set(key, start);

    const fold = createFold(dataSource, { schema: rebuild, snapshots: false });
    const transactions = new TransactionRunner(dataSource);
    let folded = 0;
    let skipped = 0;
    let frozen = false;
    let inFlight: Promise<void> = Promise.resolve();
    const progress = (phase: ReplayProgress['phase']) => {
      const total = sum(ends, (key, end) => end - (starts.get(key) ?? 0));
      const done = sum(ends, (key, end) => Math.min(end, next.get(key) ?? 0) - (starts.get(key) ?? 0));
      const seconds = (Date.now() - started) / 1000;
      const eventsPerSecond = seconds > 0 ? folded / seconds : 0;
      const etaSeconds = eventsPerSecond > 0 ? Math.max(0, total - done) / eventsPerSecond : null;
      options.onProgress?.({ phase, done, total, eventsPerSecond, etaSeconds });
    };
    const reached = (targets: Offsets) => [...targets].every(([key, end]) => (next.get(key) ?? 0) >= end);
    const interrupted = () => options.signal?.aborted === true || (options.stopAfterEvents !== undefined && folded >= options.stopAfterEvents);

    const unitEvents = options.unitEvents ?? REPLAY_UNIT_EVENTS;
    const handleBatch = async ({ batch, heartbeat }: EachBatchPayload): Promise<void> => {
      if (frozen || interrupted()) return;
      const topic = unqualify(options.kafka, batch.topic);
      const key = slot(topic, batch.partition);
      const from = next.get(key) ?? 0;
      const messages = batch.messages.filter((message) => Number(message.offset) >= from);
      if (messages.length === 0) return;
      const work = (async () => {
        for (let start = 0; start < messages.length; start += unitEvents) {
          const unit = messages.slice(start, start + unitEvents);
          const result = await foldUnit(transactions, fold, checkpoints, topic, batch.partition, unit, options.logger);
          next.set(key, Number(unit[unit.length - 1].offset) + 1);
          folded += result.folded;
          skipped += result.skipped;
        }
      })();
      inFlight = work.catch(() => undefined);
      await work;
      progress('rebuilding');
      await heartbeat();
    };

    consumer = kafka.consumer({ groupId: qualify(options.kafka, `projection-replay-${randomBytes(4).toString('hex')}`), maxBytesPerPartition: 4 * 1024 * 1024 });
    await consumer.connect();
    await consumer.subscribe({ topics: REPLAYED_TOPICS.map((topic) => qualify(options.kafka, topic)), fromBeginning: true });
    await consumer.run({ autoCommit: false, eachBatchAutoResolve: true, eachBatch: handleBatch });
    for (const [key, offset] of next) {
      const [topic, partition] = key.split('|');
      consumer.seek({ topic: qualify(options.kafka, topic), partition: Number(partition), offset: String(offset) });
    }
    progress('rebuilding');

    await until(() => reached(ends) || interrupted());
    if (interrupted()) {
      frozen = true;
      await inFlight;
      return result(false);
    }

    // Swap: block live writers (reads go on), catch up to the very end, carry over, rename.
    progress('swapping');
    const runner = dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction('READ COMMITTED');
      const liveExists = ((await runner.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [live])) as unknown[]).length === 1;
      if (liveExists) await lockLive(runner, live);
      ({ ends } = await topicOffsets(kafka, options.kafka));
      progress('catching-up');
      await until(() => reached(ends) || options.signal?.aborted === true);
      frozen = true;
      await inFlight;
      if (!reached(ends)) throw new Error('replay aborted during the swap; the live read model is unchanged');
      if (liveExists) await carryOver(runner, live, rebuild);
      await runner.query(`DROP TABLE ${checkpoints}`);
      const retired = `projection_retired_${Date.now()}`;
      if (liveExists) await runner.query(`ALTER SCHEMA ${quoteIdentifier(live)} RENAME TO ${quoteIdentifier(retired)}`);
      await runner.query(`ALTER SCHEMA ${quoteIdentifier(rebuild)} RENAME TO ${quoteIdentifier(live)}`);
      await runner.commitTransaction();
      if (liveExists && !options.keepOld) await runner.query(`DROP SCHEMA ${quoteIdentifier(retired)} CASCADE`);
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction();
      throw error;
    } finally {
      await runner.release();
    }
    progress('done');
    return result(true);

    function result(swapped: boolean): ReplayResult {
      const seconds = (Date.now() - started) / 1000;
      return { swapped, events: folded, seconds, eventsPerSecond: seconds > 0 ? folded / seconds : 0, skipped };
    }
  } finally {
    await consumer?.disconnect().catch(() => undefined);
    await dataSource.destroy();
  }
}

const opener = new EventOpener();

/**
 * Events folded in one transaction at most (a fetched batch is folded in units of this many): a
 * fetch can hold several megabytes of them, and a unit keeps its events, their rows and its
 * statements' parameters in memory until it commits.
 */
const REPLAY_UNIT_EVENTS = 1_000;

/**
 * Fold events of one partition as the live projection folds a unit: in one transaction
 * (TransactionRunner.batch: preloaded rows, deferred writes, one commit), with its checkpoint; one
 * event at a time if the unit fails.
 */
async function foldUnit(
  transactions: TransactionRunner,
  fold: Fold,
  checkpoints: string,
  topic: string,
  partition: number,
  messages: EachBatchPayload['batch']['messages'],
  logger: Logger,
): Promise<{ folded: number; skipped: number }> {
  // Parsed once, for the preload and the fold; undefined: undecodable (dead-lettered live as well).
  const parsed = messages.map((message): Record<string, unknown> | Error | undefined => {
    try {
      return parseMessage(message.value);
    } catch (error) {
      return error instanceof UndecodableMessage ? undefined : (error as Error);
    }
  });
  const apply = async (em: EntityManager, index: number): Promise<boolean> => {
    const message = messages[index];
    const envelope = parsed[index];
    if (envelope instanceof Error) throw envelope;
    if (!envelope) return false;
    let event;
    try {
      if (message.key?.toString('utf8') !== messageKey(String(envelope.application), String(envelope.aggregateId))) return false;
      // Personal data opens with its subject's key (read ahead by the preload); an erased subject's events fold to what the erasure left.
      const opened = await opener.open(em, envelope, openedKeys(transactions.shared()!));
      if (!opened) return false;
      event = decodeEnvelope(opened);
    } catch (error) {
      if (error instanceof UndecodableMessage) return false; // dead-lettered live as well
      throw error;
    }
    const handler = fold.handlers.get(event.type);
    if (!handler) return false;
    await handler.handle(event as never, { topic, partition, offset: message.offset, consumer: 'projection-replay' });
    return true;
  };
  const checkpoint = (em: EntityManager, offset: string) =>
    em.query(
      // eslint-disable-next-line omni/sql-parameters -- checkpoints is quoteIdentifier(rebuild).replay_checkpoints, built in replayReadModel
      `INSERT INTO ${checkpoints} (topic, partition, next_offset) VALUES ($1, $2, $3)
       ON CONFLICT (topic, partition) DO UPDATE SET next_offset = EXCLUDED.next_offset`,
      [topic, partition, Number(offset) + 1],
    );
  /** Fold messages [from, to) in one batch, and checkpoint after the last. */
  const unit = (from: number, to: number) =>
    transactions.batch(async () => {
      const em = transactions.shared()!.em;
      await fold.preload(em, parsed.slice(from, to).filter((envelope): envelope is Record<string, unknown> => envelope !== undefined && !(envelope instanceof Error)));
      let folded = 0;
      for (let index = from; index < to; index++) if (await apply(em, index)) folded += 1;
      await checkpoint(em, messages[to - 1].offset);
      return folded;
    });
  try {
    const folded = await unit(0, messages.length);
    return { folded, skipped: messages.length - folded };
  } catch (error) {
    logger.warn({ err: error, topic, partition }, 'replay unit failed; folding it one event at a time');
  }
  let folded = 0;
  let skipped = 0;
  for (let index = 0; index < messages.length; index++) {
    try {
      const one = await unit(index, index + 1);
      folded += one;
      skipped += 1 - one;
    } catch (error) {
      // Live, this message went to the dead-letter topic after its attempts: the rebuild skips it too.
      logger.warn({ err: error, topic, partition, offset: messages[index].offset }, 'replay skipped an event its projector rejects');
      skipped += 1;
      await transactions.run((em) => checkpoint(em, messages[index].offset));
    }
  }
  return { folded, skipped };
}

/** Writers wait (reads go on): every projector's transaction starts on entity_versions, outcomes on command_outcomes. */
async function lockLive(runner: QueryRunner, live: string): Promise<void> {
  const t = readModelTables(live);
  await runner.query(`SET LOCAL lock_timeout = '20s'`);
  await runner.query(
    `LOCK TABLE ${t.entityVersions}, ${t.commandOutcomes}, ${t.users}, ${t.devices}, ${t.recipients}, ${t.profileVersions}, ${t.outbox} IN EXCLUSIVE MODE`,
  );
}

/** What only the live read model has: command outcomes (not in the event topics), snapshot versions, unsent snapshots. */
async function carryOver(runner: QueryRunner, live: string, rebuild: string): Promise<void> {
  const from = readModelTables(live);
  const to = readModelTables(rebuild);
  await runner.query(`INSERT INTO ${to.commandOutcomes} SELECT * FROM ${from.commandOutcomes} ON CONFLICT DO NOTHING`);
  await runner.query(
    `INSERT INTO ${to.profileVersions} AS p (application, user_id, version) SELECT application, user_id, version FROM ${from.profileVersions}
     ON CONFLICT (application, user_id) DO UPDATE SET version = GREATEST(p.version, EXCLUDED.version)`,
  );
  await runner.query(
    `INSERT INTO ${to.outbox} (id, message_id, topic, message_key, message_type, envelope, created_at)
     SELECT id, message_id, topic, message_key, message_type, envelope, created_at FROM ${from.outbox} WHERE published_at IS NULL
     ON CONFLICT DO NOTHING`,
  );
  await runner.query(`SELECT setval(pg_get_serial_sequence($1, 'id'), GREATEST((SELECT max(id) FROM ${from.outbox}), (SELECT max(id) FROM ${to.outbox}), 1))`, [
    to.outbox,
  ]);
  const inbox = `${quoteIdentifier(rebuild)}.inbox`;
  await runner.query(`INSERT INTO ${inbox} SELECT * FROM ${quoteIdentifier(live)}.inbox ON CONFLICT DO NOTHING`);
}

/** The checkpoints of an interrupted run (none when there is no rebuild yet). */
async function savedCheckpoints(dataSource: DataSource, rebuild: string): Promise<Offsets> {
  const [{ exists }] = (await dataSource.query('SELECT to_regclass($1) IS NOT NULL AS exists', [`${quoteIdentifier(rebuild)}.replay_checkpoints`])) as {
    exists: boolean;
  }[];
  if (!exists) return new Map();
  const rows = (await dataSource.query(`SELECT topic, partition, next_offset FROM ${quoteIdentifier(rebuild)}.replay_checkpoints`)) as {
    topic: string;
    partition: number;
    next_offset: string;
  }[];
  return new Map(rows.map((row) => [slot(row.topic, row.partition), Number(row.next_offset)]));
}

async function topicOffsets(kafka: Kafka, settings: KafkaSettings): Promise<{ starts: Offsets; ends: Offsets }> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const starts: Offsets = new Map();
    const ends: Offsets = new Map();
    for (const topic of REPLAYED_TOPICS) {
      for (const { partition, low, high } of await admin.fetchTopicOffsets(qualify(settings, topic))) {
        starts.set(slot(topic, partition), Number(low));
        ends.set(slot(topic, partition), Number(high));
      }
    }
    return { starts, ends };
  } finally {
    await admin.disconnect();
  }
}

function sum(offsets: Offsets, value: (key: string, offset: number) => number): number {
  let total = 0;
  for (const [key, offset] of offsets) total += Math.max(0, value(key, offset));
  return total;
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 50));
}
