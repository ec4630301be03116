import { IHeaders, KafkaMessage } from 'kafkajs';
import { deadLetterTopic } from '@omni/contracts';
import { MessagePublisher, OutgoingRecord } from '../kafka/message-publisher';

export interface DeadLetterReason {
  /** Short machine-readable cause: malformed-json, unknown-type, invalid-payload, handler-failed, … */
  reason: string;
  /** Human-readable detail. */
  detail: string;
  attempts: number;
}

/** Headers a dead-lettered message carries besides its original ones: where it came from and why. */
export const DLQ_HEADERS = {
  reason: 'dlq-reason',
  detail: 'dlq-detail',
  sourceTopic: 'dlq-source-topic',
  sourcePartition: 'dlq-source-partition',
  sourceOffset: 'dlq-source-offset',
  consumer: 'dlq-consumer',
  attempts: 'dlq-attempts',
  time: 'dlq-time',
} as const;

/** Every header the dead-letter tooling adds starts with this; the rest are the message's own. */
export const DLQ_HEADER_PREFIX = 'dlq-';

/**
 * Moves a message that cannot be processed to `<topic>.dlq`, unchanged (same key and value, byte
 * for byte, even when they are not UTF-8), with its reason in headers, so the partition can move
 * on and ops can inspect and redrive it.
 */
export class DeadLetterPublisher {
  constructor(
    private readonly publisher: MessagePublisher,
    private readonly consumer: string,
  ) {}

  async send(
    source: { topic: string; partition: number; message: KafkaMessage },
    why: DeadLetterReason,
  ): Promise<void> {
    const headers: IHeaders = {
      ...(source.message.headers ?? {}),
      [DLQ_HEADERS.reason]: why.reason,
      [DLQ_HEADERS.detail]: why.detail.slice(0, 2_000),
      [DLQ_HEADERS.sourceTopic]: source.topic,
      [DLQ_HEADERS.sourcePartition]: String(source.partition),
      [DLQ_HEADERS.sourceOffset]: source.message.offset,
      [DLQ_HEADERS.consumer]: this.consumer,
      [DLQ_HEADERS.attempts]: String(why.attempts),
      [DLQ_HEADERS.time]: new Date().toISOString(),
    };
    // The key and value go out as the Buffers they came in as: MessagePublisher hands them to
    // kafkajs untouched, and decoding them as UTF-8 here would alter a value that is not UTF-8
    // (the very kind of message that ends up here), so a redrive could not restore it.
    const record = {
      topic: deadLetterTopic(source.topic),
      key: source.message.key ?? null,
      value: source.message.value ?? null,
      headers,
    } as unknown as OutgoingRecord;
    await this.publisher.publish([record]);
  }
}

/** What the headers of a dead letter say about it. */
export interface DeadLetterInfo {
  reason: string;
  detail: string;
  sourceTopic: string;
  sourcePartition: number;
  sourceOffset: string;
  consumer: string;
  attempts: number;
  time: string;
}

/** Header values as strings (kafkajs gives Buffers, or arrays of them for repeated headers). */
export function headerText(headers: IHeaders | undefined, name: string): string | undefined {
  const value = headers?.[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? undefined : first.toString();
}

/** The dead-letter headers of a message of a `.dlq` topic; undefined when it has none (not a dead letter). */
export function readDeadLetter(headers: IHeaders | undefined): DeadLetterInfo | undefined {
  const text = (name: string) => headerText(headers, name);
  const sourceTopic = text(DLQ_HEADERS.sourceTopic);
  const reason = text(DLQ_HEADERS.reason);
  if (sourceTopic === undefined || reason === undefined) return undefined;
  return {
    reason,
    detail: text(DLQ_HEADERS.detail) ?? '',
    sourceTopic,
    sourcePartition: Number(text(DLQ_HEADERS.sourcePartition) ?? NaN),
    sourceOffset: text(DLQ_HEADERS.sourceOffset) ?? '',
    consumer: text(DLQ_HEADERS.consumer) ?? '',
    attempts: Number(text(DLQ_HEADERS.attempts) ?? 0),
    time: text(DLQ_HEADERS.time) ?? '',
  };
}

/** The message's own headers: what it carried before it was dead-lettered (every `dlq-*` header removed). */
export function originalHeaders(headers: IHeaders | undefined): IHeaders {
  return Object.fromEntries(Object.entries(headers ?? {}).filter(([name]) => !name.startsWith(DLQ_HEADER_PREFIX)));
}
