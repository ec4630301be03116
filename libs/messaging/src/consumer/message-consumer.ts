import { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import { Message, MessageType, UndecodableMessage, decodeEnvelope, messageKey, parseMessage } from '@omni/contracts';
import type { Logger } from '@omni/observability';
import { withCorrelationId } from '@omni/observability';
import { DeadLetterPublisher } from '../dead-letter/dead-letter';
import { KafkaSettings, qualify, unqualify } from '../kafka/kafka-settings';
import { MessagePublisher } from '../kafka/message-publisher';
import { isTransientError } from './transient-error';

/** Where a message came from, for handlers that need it (logs, metrics). */
export interface MessageContext {
  topic: string;
  partition: number;
  offset: string;
  consumer: string;
}

export type MessageHandlerFn = (message: Message<MessageType>, context: MessageContext) => Promise<void>;

/** Called when a message cannot be decoded but its envelope could be read (e.g. to answer a rejected outcome). */
export type UndecodableHook = (error: UndecodableMessage, context: MessageContext) => Promise<void>;

/**
 * Called with each parsed message before it is validated: returns the message to handle (e.g. with
 * its personal data opened), or undefined to skip it (it is about data that no longer exists).
 */
export type MessageOpener = (message: Record<string, unknown>) => Promise<Record<string, unknown> | undefined>;

/**
 * A unit of work's messages as read, before anything was checked: `messages` are those that parsed
 * (their fields unvalidated; the handlers see them decoded), `ids` those of the `message-id` headers.
 */
export interface UnitMessages {
  ids: string[];
  messages: Record<string, unknown>[];
}

/** What the consumer reports as it goes (metrics). */
export interface ConsumerObserver {
  handled(topic: string, type: string, seconds: number): void;
  deadLettered(topic: string, type: string, reason: string): void;
}

export interface MessageConsumerOptions {
  /** Consumer group; also the consumer's name in the inbox. Qualified with the topic prefix. */
  groupId: string;
  /** Unqualified topic names (`device.commands`). */
  topics: string[];
  /** Resolve the handler for a decoded message; undefined = no handler for that type here. */
  handlerFor: (type: MessageType) => MessageHandlerFn | undefined;
  onUndecodable?: UndecodableHook;
  open?: MessageOpener;
  /** Attempts for a non-transient failure before the message goes to the dead-letter topic. */
  maxAttempts?: number;
  /**
   * Runs a batch of messages in one database transaction (TransactionRunner.batch): with it, the
   * messages of a fetch are handled together and commit once; without it, one at a time.
   */
  unitOfWork?: <T>(work: () => Promise<T>) => Promise<T>;
  /**
   * Runs first in each unit of work with its messages, e.g. to claim all their ids in the inbox,
   * or load the aggregates their commands change, with one statement.
   */
  beforeUnit?: (unit: UnitMessages) => Promise<void>;
  /** Most messages handled in one unit of work (default 500). */
  maxBatchMessages?: number;
  fromBeginning?: boolean;
  observer?: ConsumerObserver;
}

/** How long a consumer that kafkajs gave up on waits before it starts again. */
const RESTART_AFTER_MS = 2_000;

/** Most partitions whose fetched batches are handled together (kafkajs hands each to a worker of its own). */
const MAX_PARTITIONS_PER_UNIT = 256;

/** One partition's batch of a fetch, and how far its messages have been handled. */
interface FetchedBatch {
  payload: EachBatchPayload;
  topic: string;
  /** Index of the first message not handled yet. */
  next: number;
  done: () => void;
  fail: (error: unknown) => void;
}

interface Delivery {
  message: KafkaMessage;
  context: MessageContext;
}

/**
 * A Kafka consumer group member that decodes, dispatches and dead-letters.
 *
 * Guarantees: messages of one partition are handled in order; an offset is committed only after
 * its message was handled or dead-lettered (at-least-once; handlers are idempotent through the
 * inbox or version gates); a message that cannot be processed goes to `<topic>.dlq` with its
 * reason and the partition moves on; an infrastructure outage (database, broker) pauses the
 * partition and retries until it passes, never dead-letters good data.
 *
 * With a `unitOfWork`, everything one fetch returned — the batches of all its partitions — is
 * handled in units of up to `maxBatchMessages`, each inside one database transaction: one commit
 * for all of them, whatever their number (one message is a unit too). A unit takes its share of
 * every partition, in the order of `topics`, so that no partition waits for another's backlog.
 * One unit runs at a time, so units of one consumer never lock against each other. Anything but a
 * plain success — an undecodable message, a handler error, a transient failure — rolls the unit
 * back, and the rest of the fetch goes partition by partition: groups again, the messages before a
 * failing one together and the failing one alone, in its own transaction, with the retries and
 * dead-lettering above. Either way a message's effects commit exactly once.
 */
export class MessageConsumer {
  private readonly consumer: Consumer;
  private readonly deadLetters: DeadLetterPublisher;
  private readonly maxAttempts: number;
  private readonly maxUnitMessages: number;
  private running = false;
  private crashed?: Error;
  /** Batches of the fetch being collected (kafkajs hands them to their workers in one go). */
  private collected: FetchedBatch[] = [];
  /** The fetches handled so far, one after another (never rejects: each fails only its own batches). */
  private unitsDone: Promise<void> = Promise.resolve();

  constructor(
    kafka: Kafka,
    private readonly settings: KafkaSettings,
    publisher: MessagePublisher,
    private readonly logger: Logger,
    private readonly options: MessageConsumerOptions,
  ) {
    this.consumer = kafka.consumer({
      groupId: qualify(settings, options.groupId),
      allowAutoTopicCreation: false,
      // A member that died (kill -9, a broker restart) holds its partitions until its session
      // expires: 10 s rather than 30 s of standing still. Handlers heartbeat between messages.
      sessionTimeout: 10_000,
      heartbeatInterval: 1_000,
      // A fetch returns as soon as there is anything (minBytes 1); these bound what one fetch
      // holds, so that a backlog is handled in fetches of seconds, not minutes.
      maxBytesPerPartition: 256 * 1024,
      maxBytes: 4 * 1024 * 1024,
      retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 300, maxRetryTime: 10_000 },
    });
    this.deadLetters = new DeadLetterPublisher(publisher, options.groupId);
    this.maxAttempts = options.maxAttempts ?? 5;
    this.maxUnitMessages = options.unitOfWork ? (options.maxBatchMessages ?? 500) : 1;
    this.consumer.on(this.consumer.events.CRASH, ({ payload }) => {
      this.crashed = payload.error;
      // A broker answer kafkajs retries (a group coordinator still loading at start): it rejoins by itself.
      const rejoins = payload.restart && (payload.error as { retriable?: boolean }).retriable === true;
      this.logger[rejoins ? 'warn' : 'error']({ err: payload.error, restart: payload.restart }, 'consumer crashed');
      // kafkajs restarts a consumer only after an error it deems retriable; after any other (no group
      // coordinator while the broker restarts) it stays down for good. It must come back by itself.
      if (!payload.restart) this.restartLater();
    });
    this.consumer.on(this.consumer.events.GROUP_JOIN, () => {
      this.crashed = undefined;
    });
  }

  get groupId(): string {
    return this.options.groupId;
  }

  /** Ready = running and not crashed. */
  healthy(): boolean {
    return this.running && this.crashed === undefined;
  }

  async start(): Promise<void> {
    this.running = true;
    await this.run();
  }

  private async run(): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({
      topics: this.options.topics.map((topic) => qualify(this.settings, topic)),
      fromBeginning: this.options.fromBeginning ?? true,
    });
    const together = this.options.unitOfWork !== undefined;
    await this.consumer.run({
      autoCommit: true,
      eachBatchAutoResolve: false,
      // Every partition's batch gets a worker at once, so that collect() sees the whole fetch.
      partitionsConsumedConcurrently: together ? MAX_PARTITIONS_PER_UNIT : 1,
      eachBatch: (payload) => (together ? this.collect(payload) : this.handleFetch([this.fetchedBatch(payload)])),
    });
  }

  private restartLater(): void {
    if (!this.running) return;
    setTimeout(() => {
      if (!this.running) return;
      this.logger.warn({ groupId: this.options.groupId }, 'restarting the consumer');
      this.run().catch((error: unknown) => {
        this.logger.error({ err: error }, 'consumer restart failed; trying again');
        this.restartLater();
      });
    }, RESTART_AFTER_MS).unref();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.consumer.disconnect();
  }

  private fetchedBatch(payload: EachBatchPayload, done = () => {}, fail = (_: unknown) => {}): FetchedBatch {
    return { payload, topic: unqualify(this.settings, payload.batch.topic), next: 0, done, fail };
  }

  /**
   * kafkajs calls eachBatch for every partition of a fetch in the same tick (one worker each) and
   * fetches again once all of them resolved: gather them, and handle them together on the next turn.
   */
  private collect(payload: EachBatchPayload): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.collected.push(this.fetchedBatch(payload, resolve, reject));
      if (this.collected.length > 1) return;
      setImmediate(() => {
        const batches = this.collected.splice(0);
        // With several brokers, kafkajs fetches from each on its own: their fetches still take turns.
        this.unitsDone = this.unitsDone.then(() => this.handleCollected(batches));
      });
    });
  }

  private async handleCollected(batches: FetchedBatch[]): Promise<void> {
    const order = (batch: FetchedBatch) => this.options.topics.indexOf(batch.topic);
    batches.sort((a, b) => order(a) - order(b) || a.payload.batch.partition - b.payload.batch.partition);
    try {
      await this.handleFetch(batches);
      for (const batch of batches) batch.done();
    } catch (error) {
      for (const batch of batches) batch.fail(error);
    }
  }

  /** Units of every partition's messages until the fetch is handled; after a failed unit, partition by partition. */
  private async handleFetch(batches: FetchedBatch[]): Promise<void> {
    const { heartbeat, commitOffsetsIfNecessary, isRunning } = batches[0].payload;
    for (;;) {
      const open = batches.filter((batch) => batch.next < batch.payload.batch.messages.length && !batch.payload.isStale());
      if (open.length === 0 || !isRunning()) return;
      const unit = this.nextUnit(open);
      const deliveries = unit.flatMap(({ batch, count }) => this.deliveries(batch, count));
      const outcome = this.options.unitOfWork ? await this.handleTogether(deliveries, heartbeat) : { failedAt: 0 };
      if (outcome !== 'committed') break;
      for (const { batch, count } of unit) {
        batch.next += count;
        batch.payload.resolveOffset(batch.payload.batch.messages[batch.next - 1].offset);
      }
      await commitOffsetsIfNecessary();
      await heartbeat();
    }
    for (const batch of batches) await this.handlePartition(batch);
  }

  /** The next unit: a share of each open batch, in their order, up to maxUnitMessages in all. */
  private nextUnit(open: FetchedBatch[]): { batch: FetchedBatch; count: number }[] {
    const share = Math.max(1, Math.ceil(this.maxUnitMessages / open.length));
    const unit: { batch: FetchedBatch; count: number }[] = [];
    let room = this.maxUnitMessages;
    for (const batch of open) {
      const count = Math.min(share, room, batch.payload.batch.messages.length - batch.next);
      if (count <= 0) break;
      unit.push({ batch, count });
      room -= count;
    }
    return unit;
  }

  private deliveries(batch: FetchedBatch, count: number): Delivery[] {
    const { batch: fetched } = batch.payload;
    return fetched.messages.slice(batch.next, batch.next + count).map((message) => ({
      message,
      context: { topic: batch.topic, partition: fetched.partition, offset: message.offset, consumer: this.options.groupId },
    }));
  }

  /**
   * One partition's remaining messages after a unit failed: groups of what precedes a failing
   * message, and the failing message alone, with retries and dead-lettering.
   */
  private async handlePartition(batch: FetchedBatch): Promise<void> {
    const { resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale } = batch.payload;
    const { messages } = batch.payload.batch;
    let next = this.maxUnitMessages;
    while (batch.next < messages.length) {
      if (!isRunning() || isStale()) return;
      const group = this.deliveries(batch, next);
      next = this.maxUnitMessages;
      const outcome = group.length > 1 ? await this.handleTogether(group, heartbeat) : { failedAt: 0 };
      if (outcome === 'committed') {
        batch.next += group.length;
        resolveOffset(messages[batch.next - 1].offset);
      } else if (outcome.failedAt !== undefined && outcome.failedAt > 0) {
        // The messages before the failing one go together again, then the failing one alone.
        next = outcome.failedAt;
        continue;
      } else {
        // The first message failed (or the group as a whole): one at a time, as far as the group went.
        const alone = outcome.failedAt === 0 ? group.slice(0, 1) : group;
        for (const { message, context } of alone) {
          if (!isRunning() || isStale()) return;
          await this.handleOne(message, context, heartbeat);
          batch.next += 1;
          resolveOffset(message.offset);
          await commitOffsetsIfNecessary();
          await heartbeat();
        }
      }
      await commitOffsetsIfNecessary();
      await heartbeat();
    }
  }

  /**
   * Handle `deliveries` in one unit of work. 'committed' when all of them were handled and
   * committed; otherwise nothing of them is committed, and `failedAt` is the index of the message
   * that failed (undefined when the unit failed as a whole, e.g. its commit).
   */
  private async handleTogether(deliveries: Delivery[], heartbeat: () => Promise<void>): Promise<'committed' | { failedAt?: number }> {
    const handled: { topic: string; type: string; seconds: number }[] = [];
    let current: number | undefined;
    let lostGroup: unknown;
    try {
      await this.options.unitOfWork!(async () => {
        const parsed = deliveries.map(({ message }) => parsedOrError(message));
        if (this.options.beforeUnit) {
          const messages = parsed.filter((value): value is Record<string, unknown> => !(value instanceof Error));
          await this.options.beforeUnit({ ids: messageIdsOf(deliveries), messages });
        }
        for (const [index, { message, context }] of deliveries.entries()) {
          current = index;
          const started = process.hrtime.bigint();
          const record = parsed[index];
          if (record instanceof Error) throw record;
          this.checkKey(record, message);
          const opened = this.options.open ? await this.options.open(record) : record;
          if (!opened) {
            handled.push({ topic: context.topic, type: String(record.type), seconds: 0 });
            continue;
          }
          const decoded = decodeEnvelope(opened);
          const handler = this.options.handlerFor(decoded.type);
          if (!handler) throw new Error(`no handler for "${decoded.type}"`);
          await withCorrelationId(decoded.correlationId, async () => {
            await handler(decoded, context);
            // Logged before the unit commits: a rolled-back unit says so in the line that follows.
            this.logger.debug({ ...context, type: decoded.type, messageId: decoded.id }, 'message handled');
          });
          handled.push({ topic: context.topic, type: decoded.type, seconds: Number(process.hrtime.bigint() - started) / 1e9 });
          current = undefined;
          // A rebalance: the partitions are no longer ours, nothing of the unit may commit.
          await heartbeat().catch((error: unknown) => {
            lostGroup = error;
            throw error;
          });
        }
        current = undefined;
      });
    } catch (error) {
      // kafkajs handles the rebalance.
      if (lostGroup !== undefined) throw lostGroup;
      const { topic, partition } = deliveries[0].context;
      // Not the error itself: its text may quote the data (a constraint's detail). The message
      // handled alone next logs it the way every failure is logged.
      const reason = (error as { code?: unknown } | null)?.code ?? (error as Error | null)?.name ?? typeof error;
      this.logger.info({ reason: String(reason), topic, partition, messages: deliveries.length, failedAt: current }, 'unit of work rolled back');
      return { failedAt: current };
    }
    for (const { topic, type, seconds } of handled) this.options.observer?.handled(topic, type, seconds);
    return 'committed';
  }

  private async handleOne(message: KafkaMessage, context: MessageContext, heartbeat: () => Promise<void>): Promise<void> {
    let decoded: Message<MessageType>;
    try {
      const parsed = parseMessage(message.value);
      this.checkKey(parsed, message);
      const opened = this.options.open ? await this.retryingTransient(heartbeat, () => this.options.open!(parsed)) : parsed;
      if (!opened) {
        this.logger.debug({ ...context, type: parsed.type }, 'message skipped: its personal data was erased');
        this.options.observer?.handled(context.topic, String(parsed.type), 0);
        return;
      }
      decoded = decodeEnvelope(opened);
    } catch (error) {
      if (!(error instanceof UndecodableMessage)) throw error;
      await this.retryingTransient(heartbeat, () => this.options.onUndecodable?.(error, context) ?? Promise.resolve());
      await this.deadLetter(context, message, error.reason, error.message, 1);
      return;
    }
    const handler = this.options.handlerFor(decoded.type);
    if (!handler) {
      await this.deadLetter(context, message, 'no-handler', `no handler for "${decoded.type}" in ${context.consumer}`, 1);
      return;
    }
    let attempts = 0;
    const started = process.hrtime.bigint();
    for (;;) {
      try {
        await withCorrelationId(decoded.correlationId, async () => {
          await handler(decoded, context);
          this.logger.debug({ ...context, type: decoded.type, messageId: decoded.id }, 'message handled');
        });
        this.options.observer?.handled(context.topic, decoded.type, Number(process.hrtime.bigint() - started) / 1e9);
        return;
      } catch (error) {
        if (isTransientError(error)) {
          this.logger.warn({ err: error, ...context, type: decoded.type }, 'transient failure; retrying');
          await this.backoff(attempts++, heartbeat);
          continue;
        }
        attempts += 1;
        if (attempts >= this.maxAttempts) {
          this.logger.error({ err: error, ...context, type: decoded.type, attempts }, 'handler failed; dead-lettering');
          await this.deadLetter(context, message, 'handler-failed', (error as Error).message ?? String(error), attempts);
          return;
        }
        this.logger.warn({ err: error, ...context, type: decoded.type, attempts }, 'handler failed; retrying');
        await this.backoff(attempts, heartbeat);
      }
    }
  }

  /** The key must be the envelope's application and aggregate: a mismatch would break ordering and tenancy. */
  private checkKey(parsed: Record<string, unknown>, message: KafkaMessage): void {
    if (typeof parsed.application !== 'string' || typeof parsed.aggregateId !== 'string') return; // decoding names the missing field
    const expected = messageKey(parsed.application, parsed.aggregateId);
    const actual = message.key?.toString('utf8');
    if (actual !== expected) {
      throw new UndecodableMessage('invalid-envelope', `message key "${actual}" does not match "${expected}"`);
    }
  }

  private async deadLetter(
    context: MessageContext,
    message: KafkaMessage,
    reason: string,
    detail: string,
    attempts: number,
  ): Promise<void> {
    this.logger.warn({ ...context, reason }, `dead-lettering message: ${detail}`);
    this.options.observer?.deadLettered(context.topic, message.headers?.['message-type']?.toString() ?? 'unknown', reason);
    await this.retryingTransient(undefined, () =>
      this.deadLetters.send({ topic: context.topic, partition: context.partition, message }, { reason, detail, attempts }),
    );
  }

  private async retryingTransient<T>(heartbeat: (() => Promise<void>) | undefined, work: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await work();
      } catch (error) {
        if (!isTransientError(error) || !this.running) throw error;
        await this.backoff(attempt, heartbeat);
      }
    }
  }

  private async backoff(attempt: number, heartbeat?: () => Promise<void>): Promise<void> {
    if (!this.running) throw new Error('consumer stopping');
    const ms = Math.min(5_000, 100 * 2 ** attempt);
    await new Promise((resolve) => setTimeout(resolve, ms));
    await heartbeat?.().catch(() => undefined);
  }
}

function parsedOrError(message: KafkaMessage): Record<string, unknown> | Error {
  try {
    return parseMessage(message.value);
  } catch (error) {
    return error as Error;
  }
}

/** The ids the producers put in each record's `message-id` header (records without one are left out). */
function messageIdsOf(deliveries: Delivery[]): string[] {
  const ids: string[] = [];
  for (const { message } of deliveries) {
    const id = message.headers?.['message-id']?.toString();
    if (id) ids.push(id);
  }
  return ids;
}
