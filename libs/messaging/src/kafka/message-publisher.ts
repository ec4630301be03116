import { CompressionTypes, IHeaders, Kafka, Producer } from 'kafkajs';
import { Envelope, messageKey } from '@omni/contracts';
import { KafkaSettings, qualify } from './kafka-settings';

/** One record to publish: the wire topic name (unqualified), its key and the serialised envelope. */
export interface OutgoingRecord {
  topic: string;
  key: string;
  value: string | null;
  headers?: IHeaders;
}

/** The standard headers carried by every message: readable by infrastructure without parsing the value. */
export function envelopeHeaders(envelope: Envelope): IHeaders {
  return {
    'message-type': envelope.type,
    'message-id': envelope.id,
    'correlation-id': envelope.correlationId,
    application: envelope.application,
  };
}

export function recordFor(topic: string, envelope: Envelope): OutgoingRecord {
  return {
    topic,
    key: messageKey(envelope.application, envelope.aggregateId),
    value: JSON.stringify(envelope),
    headers: envelopeHeaders(envelope),
  };
}

/**
 * An idempotent producer (acks=all, one request in flight per connection) so that a retried
 * send neither duplicates nor reorders messages within a partition.
 */
export class MessagePublisher {
  private readonly producer: Producer;
  private connected = false;

  constructor(
    kafka: Kafka,
    private readonly settings: KafkaSettings,
  ) {
    this.producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  }

  async connect(): Promise<void> {
    if (this.connected) return;
    await this.producer.connect();
    this.connected = true;
  }

  async disconnect(): Promise<void> {
    if (!this.connected) return;
    this.connected = false;
    await this.producer.disconnect();
  }

  get isConnected(): boolean {
    return this.connected;
  }

  /** Publish records in one batch; resolves once every broker acknowledged (acks=all). */
  async publish(records: OutgoingRecord[]): Promise<void> {
    if (records.length === 0) return;
    const byTopic = new Map<string, OutgoingRecord[]>();
    for (const record of records) {
      const topic = qualify(this.settings, record.topic);
      const list = byTopic.get(topic) ?? [];
      list.push(record);
      byTopic.set(topic, list);
    }
    await this.producer.sendBatch({
      acks: -1,
      compression: CompressionTypes.None,
      topicMessages: [...byTopic].map(([topic, list]) => ({
        topic,
        messages: list.map(({ key, value, headers }) => ({ key, value, headers })),
      })),
    });
  }
}
