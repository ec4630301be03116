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
   * messages of a Kafka batch are handled together and commit once; without it, one at a time.
   */
  unitOfWork?: <T>(work: () => Promise<T>) => Promise<T>;
  /** Most messages handled in one unit of work (default 200). */
  maxBatchMessages?: number;
  /** Partitions processed in parallel (each partition stays sequential). */
  partitionsConsumedConcurrently?: number;
  fromBeginning?: boolean;
  observer?: ConsumerObserver;
}

/**
 * A Kafka consumer group member that decodes, dispatches and dead-letters.
 *
 * Guarantees: messages of one partition are handled one at a time, in order; an offset is
 * committed only after its message was handled or dead-lettered (at-least-once; handlers are
 * idempotent through the inbox or version gates); a message that cannot be processed goes to
 * `<topic>.dlq` with its reason and the partition moves on; an infrastructure outage (database,
 * broker) pauses the partition and retries until it passes, never dead-letters good data.
 *
 * With a `unitOfWork`, the messages a fetch returned are handled in order inside one database
 * transaction, up to `maxBatchMessages` at a time: one commit for all of them. Anything but a
 * plain success — an undecodable message, a handler error, a transient failure — rolls the whole
 * group back; the messages before the failing one go together again, and the failing one alone,
 * in its own transaction, with the retries and dead-lettering above. Either way a message's
 * effects commit exactly once.
 */
export class MessageConsumer {
  private readonly consumer: Consumer;
  private readonly deadLetters: DeadLetterPublisher;
  private readonly maxAttempts: number;
  private running = false;
  private crashed?: Error;

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
      retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 300, maxRetryTime: 10_000 },
    });
    this.deadLetters = new DeadLetterPublisher(publisher, options.groupId);
    this.maxAttempts = options.maxAttempts ?? 5;
    this.consumer.on(this.consumer.events.CRASH, ({ payload }) => {
      this.crashed = payload.error;
      // A broker answer kafkajs retries (a group coordinator still loading at start): it rejoins by itself.
      const rejoins = payload.restart && (payload.error as { retriable?: boolean }).retriable === true;
      this.logger[rejoins ? 'warn' : 'error']({ err: payload.error, restart: payload.restart }, 'consumer crashed');
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
    await this.consumer.connect();
    await this.consumer.subscribe({
      topics: this.options.topics.map((topic) => qualify(this.settings, topic)),
      fromBeginning: this.options.fromBeginning ?? true,
    });
    this.running = true;
    await this.consumer.run({
      autoCommit: true,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 1,
      eachBatch: (payload) => this.handleBatch(payload),
    });
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.consumer.disconnect();
  }

  private async handleBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale } = payload;
    const topic = unqualify(this.settings, batch.topic);
    const contextOf = (message: KafkaMessage): MessageContext => ({
      topic,
      partition: batch.partition,
      offset: message.offset,
      consumer: this.options.groupId,
    });
    const size = this.options.unitOfWork ? (this.options.maxBatchMessages ?? 200) : 1;
    let next = size;
    for (let start = 0; start < batch.messages.length; ) {
      if (!isRunning() || isStale()) return;
      const group = batch.messages.slice(start, start + next);
      next = size;
      const outcome = group.length > 1 ? await this.handleTogether(group, contextOf, heartbeat) : { failedAt: 0 };
      if (outcome === 'committed') {
        resolveOffset(group[group.length - 1].offset);
        start += group.length;
      } else if (outcome.failedAt !== undefined && outcome.failedAt > 0) {
        // The messages before the failing one go together again, then the failing one alone.
        next = outcome.failedAt;
        continue;
      } else {
        // The first message failed (or the group as a whole): one at a time, with retries and
        // dead-lettering, as far as the group went.
        const alone = outcome.failedAt === 0 ? group.slice(0, 1) : group;
        for (const message of alone) {
          if (!isRunning() || isStale()) return;
          await this.handleOne(message, contextOf(message), heartbeat);
          resolveOffset(message.offset);
          await commitOffsetsIfNecessary();
          await heartbeat();
        }
        start += alone.length;
      }
      await commitOffsetsIfNecessary();
      await heartbeat();
    }
  }

  /**
   * Handle `messages` in one unit of work. 'committed' when all of them were handled and
   * committed; otherwise nothing of them is committed, and `failedAt` is the index of the message
   * that failed (undefined when the unit failed as a whole, e.g. its commit).
   */
  private async handleTogether(
    messages: KafkaMessage[],
    contextOf: (message: KafkaMessage) => MessageContext,
    heartbeat: () => Promise<void>,
  ): Promise<'committed' | { failedAt?: number }> {
    const handled: { topic: string; type: string; seconds: number }[] = [];
    let current: number | undefined;
    let lostGroup: unknown;
    try {
      await this.options.unitOfWork!(async () => {
        for (const [index, message] of messages.entries()) {
          current = index;
          const context = contextOf(message);
          const started = process.hrtime.bigint();
          const parsed = parseMessage(message.value);
          this.checkKey(parsed, message);
          const opened = this.options.open ? await this.options.open(parsed) : parsed;
          if (!opened) {
            handled.push({ topic: context.topic, type: String(parsed.type), seconds: 0 });
            continue;
          }
          const decoded = decodeEnvelope(opened);
          const handler = this.options.handlerFor(decoded.type);
          if (!handler) throw new Error(`no handler for "${decoded.type}"`);
          await withCorrelationId(decoded.correlationId, async () => {
            await handler(decoded, context);
            // Logged before the batch commits: a rolled-back batch says so in the line that follows.
            this.logger.debug({ ...context, type: decoded.type, messageId: decoded.id }, 'message handled');
          });
          handled.push({ topic: context.topic, type: decoded.type, seconds: Number(process.hrtime.bigint() - started) / 1e9 });
          current = undefined;
          await heartbeat().catch((error: unknown) => {
            lostGroup = error;
            throw error;
          });
        }
        current = undefined;
      });
    } catch (error) {
      // A rebalance: the partition is no longer ours; kafkajs handles it.
      if (lostGroup !== undefined) throw lostGroup;
      const { topic, partition } = contextOf(messages[0]);
      // Not the error itself: its text may quote the data (a constraint's detail). The message
      // handled alone next logs it the way every failure is logged.
      const reason = (error as { code?: unknown } | null)?.code ?? (error as Error | null)?.name ?? typeof error;
      this.logger.info({ reason: String(reason), topic, partition, messages: messages.length, failedAt: current }, 'batch rolled back');
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
