import { CompressionTypes, IHeaders, Kafka, Producer, TopicMessages } from 'kafkajs';
import { Envelope, messageKey } from '@omni/contracts';
import { CoalescingQueue } from '@omni/persistence';
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
 * Bounds of one send. Kafka refuses record batches over ~1 MB per partition by default, and the
 * broker reserves memory for a whole produce request at once: a send of hundreds of profile
 * snapshots once took megabytes per request until the local broker ran out of direct memory (#25).
 */
const MAX_BATCH_RECORDS = 500;
const MAX_BATCH_BYTES = 512 * 1024;

/**
 * The largest record this platform sends: under the broker's `message.max.bytes` (1 MiB by
 * default) with room for the batch's own framing. A larger one is dead-lettered by its relay.
 */
export const MAX_RECORD_BYTES = 1_000_000;

/** What a record weighs on the wire, near enough: key, value and headers (dead letters carry Buffers and null keys). */
export function recordBytes(record: OutgoingRecord): number {
  let bytes = (record.key == null ? 0 : Buffer.byteLength(record.key)) + (record.value == null ? 0 : Buffer.byteLength(record.value));
  for (const [name, value] of Object.entries(record.headers ?? {})) bytes += name.length + (value === undefined ? 0 : String(value).length);
  return bytes;
}

/** How many of the waiting publishes fit one send (at least one, however large). */
function fittingOneSend(waiting: readonly OutgoingRecord[][]): number {
  let records = 0;
  let bytes = 0;
  let count = 0;
  for (const publish of waiting) {
    const size = publish.reduce((sum, record) => sum + recordBytes(record), 0);
    if (count > 0 && (records + publish.length > MAX_BATCH_RECORDS || bytes + size > MAX_BATCH_BYTES)) break;
    records += publish.length;
    bytes += size;
    count += 1;
  }
  return count;
}

/** Consecutive runs of records, each within the bounds of one send (a record over them alone). */
function chunksOf(records: OutgoingRecord[]): OutgoingRecord[][] {
  const chunks: OutgoingRecord[][] = [];
  let current: OutgoingRecord[] = [];
  let bytes = 0;
  for (const record of records) {
    const size = recordBytes(record);
    if (current.length > 0 && (current.length >= MAX_BATCH_RECORDS || bytes + size > MAX_BATCH_BYTES)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(record);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/** Records grouped by (prefixed) topic, each topic's records in their order. */
function topicMessagesOf(settings: KafkaSettings, records: OutgoingRecord[]): TopicMessages[] {
  const byTopic = new Map<string, OutgoingRecord[]>();
  for (const record of records) {
    const topic = qualify(settings, record.topic);
    const list = byTopic.get(topic) ?? [];
    list.push(record);
    byTopic.set(topic, list);
  }
  return [...byTopic].map(([topic, list]) => ({
    topic,
    messages: list.map(({ key, value, headers }) => ({ key, value, headers })),
  }));
}

/**
 * An idempotent producer (acks=all, one request in flight per connection) so that a retried
 * send neither duplicates nor reorders messages within a partition.
 *
 * Two guards keep kafkajs's idempotence from losing messages. A send that fails may still have
 * been written (the broker appended the batch, the answer was lost to a restart or a network
 * cut); kafkajs then hands the batch's sequence numbers to the next batch, and the broker takes
 * that next batch for a retry of the written one: it acknowledges it and drops it. So:
 * - sends go one at a time, so that no other batch takes those numbers while kafkajs is still
 *   retrying a failed request;
 * - after a send fails, the next one first replaces the producer (a new producer id, fresh
 *   sequence numbers). The failed batch may be on the topic or not: its caller retries it, and
 *   consumers drop the duplicate.
 */
export class MessagePublisher {
  private producer: Producer;
  private connected = false;
  /** The producer's sequence numbers may disagree with the broker's since a send failed. */
  private stale = false;
  /** Publishes waiting for the producer, in arrival order: merged into one send while another is in flight. */
  private readonly sends = new CoalescingQueue<OutgoingRecord[], void>(
    async (publishes) => {
      await this.send(topicMessagesOf(this.settings, publishes.flat()));
      return publishes.map(() => undefined);
    },
    fittingOneSend,
  );

  constructor(
    private readonly kafka: Kafka,
    private readonly settings: KafkaSettings,
  ) {
    this.producer = this.newProducer();
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

  /**
   * Publish records; resolves once every broker acknowledged them (acks=all), rejects if their
   * send failed (then retry: the records may or may not be on the topic, consumers deduplicate).
   *
   * Sends go one at a time (see above), so publishes that arrive while one is in flight wait — and
   * go together: everything waiting when the producer is free is merged into the next send (one
   * Produce request per broker instead of one per caller), up to MAX_BATCH_RECORDS records and
   * MAX_BATCH_BYTES. Each caller's records stay in order, and callers are served in arrival order;
   * a caller's records beyond those bounds go in further sends.
   */
  async publish(records: OutgoingRecord[]): Promise<void> {
    // A publish larger than one send goes in several, one after the other: a chunk that fails stops
    // the rest, so that a retry of the whole publish cannot overtake what was not sent.
    for (const chunk of chunksOf(records)) await this.sends.submit(chunk);
  }

  private async send(topicMessages: TopicMessages[]): Promise<void> {
    if (this.stale) await this.renewProducer();
    try {
      await this.producer.sendBatch({ acks: -1, compression: CompressionTypes.None, topicMessages });
    } catch (error) {
      this.stale = true;
      throw error;
    }
  }

  /** Replace the producer: the next batch starts a new idempotent session, unrelated to what failed. */
  private async renewProducer(): Promise<void> {
    const previous = this.producer;
    this.producer = this.newProducer();
    await previous.disconnect().catch(() => undefined);
    if (this.connected) await this.producer.connect();
    this.stale = false;
  }

  private newProducer(): Producer {
    return this.kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  }
}
