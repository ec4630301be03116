import { IHeaders, KafkaMessage } from 'kafkajs';
import { deadLetterTopic } from '@omni/contracts';
import { MessagePublisher } from '../kafka/message-publisher';

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

/**
 * Moves a message that cannot be processed to `<topic>.dlq`, unchanged (same key and value),
 * with its reason in headers, so the partition can move on and ops can inspect and redrive it.
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
    await this.publisher.publish([
      {
        topic: deadLetterTopic(source.topic),
        key: source.message.key?.toString('utf8') ?? '',
        value: source.message.value?.toString('utf8') ?? null,
        headers,
      },
    ]);
  }
}
