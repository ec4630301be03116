/**
 * Dead-letter topics for operators (`npm run cli -- dlq …`): list them, show one dead letter,
 * redrive dead letters to the topic they came from.
 *
 * A redrive is recorded in the dead-letter topic itself: after re-publishing a message, a marker
 * record (null value, `dlq-redriven*` headers naming the dead letter) is appended to the same
 * `.dlq` topic, so every later `list`, `show` and `redrive` knows it was redriven, from any
 * machine, for as long as the topic keeps it (forever). A second redrive of the same message is
 * refused unless forced. A crash between the re-publish and the marker leaves no marker: the next
 * redrive sends it again, which consumers tolerate (inbox, version gates).
 *
 * Configuration: KAFKA_BROKERS, KAFKA_TOPIC_PREFIX (as the services).
 */
import { randomBytes } from 'node:crypto';
import { IHeaders, Kafka, KafkaMessage, logLevel } from 'kafkajs';
import { DEAD_LETTER_SUFFIX, TOPIC_SPECS, deadLetterTopic } from '../../libs/contracts/src';
import { DEFAULT_KAFKA_BROKERS } from '../../libs/config/src';
import { DeadLetterInfo, KafkaSettings, headerText, originalHeaders, qualify, readDeadLetter, unqualify, waitForTopicLeaders } from '../../libs/messaging/src';

/** Headers of a redrive: on the marker in the `.dlq` topic, and (`from`) on the re-published message. */
export const REDRIVE_HEADERS = {
  marker: 'dlq-redriven',
  partition: 'dlq-redriven-partition',
  offset: 'dlq-redriven-offset',
  to: 'dlq-redriven-to',
  time: 'dlq-redriven-time',
  /** On the re-published message: `<dlq topic>/<partition>/<offset>` it was redriven from. */
  from: 'dlq-redriven-from',
} as const;

/** One record of a `.dlq` topic: a dead letter, or a redrive marker. */
export interface DlqRecord {
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: IHeaders;
}

export interface RedriveMark {
  time: string;
  to: string;
  /** Where the marker itself is: `<partition>/<offset>`. */
  marker: string;
}

/** A dead letter with what is known of it. */
export interface DeadLetterEntry {
  topic: string;
  partition: number;
  offset: string;
  record: DlqRecord;
  /** Undefined when the record carries no dead-letter headers (put there by something else). */
  info?: DeadLetterInfo;
  redriven: RedriveMark[];
}

export function kafkaSettingsFromEnv(): KafkaSettings {
  return {
    brokers: (process.env.KAFKA_BROKERS || DEFAULT_KAFKA_BROKERS).split(','),
    clientId: 'omni-dlq-cli',
    topicPrefix: process.env.KAFKA_TOPIC_PREFIX ?? '',
  };
}

/** `profile.commands` or `profile.commands.dlq` → `profile.commands.dlq`. */
export function dlqTopicName(topic: string): string {
  return topic.endsWith(DEAD_LETTER_SUFFIX) ? topic : deadLetterTopic(topic);
}

/** The dead-letter topics the contracts define (whether or not they exist on the cluster). */
export function knownDlqTopics(): string[] {
  return TOPIC_SPECS.filter((spec) => spec.deadLetter).map((spec) => deadLetterTopic(spec.name));
}

export function isRedriveMarker(record: DlqRecord): boolean {
  return headerText(record.headers, REDRIVE_HEADERS.marker) === 'true';
}

/** Pair dead letters with the markers of their redrives, in partition and offset order. */
export function entriesOf(topic: string, records: DlqRecord[]): DeadLetterEntry[] {
  const marks = new Map<string, RedriveMark[]>();
  for (const record of records.filter(isRedriveMarker)) {
    const target = `${headerText(record.headers, REDRIVE_HEADERS.partition)}/${headerText(record.headers, REDRIVE_HEADERS.offset)}`;
    const list = marks.get(target) ?? [];
    list.push({
      time: headerText(record.headers, REDRIVE_HEADERS.time) ?? '',
      to: headerText(record.headers, REDRIVE_HEADERS.to) ?? '',
      marker: `${record.partition}/${record.offset}`,
    });
    marks.set(target, list);
  }
  return records
    .filter((record) => !isRedriveMarker(record))
    .sort((a, b) => a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset)))
    .map((record) => ({
      topic,
      partition: record.partition,
      offset: record.offset,
      record,
      info: readDeadLetter(record.headers),
      redriven: marks.get(`${record.partition}/${record.offset}`) ?? [],
    }));
}

export interface DlqTopicSummary {
  topic: string;
  /** Dead letters in the topic (redrive markers not counted). */
  messages: number;
  /** How many of them were redriven (at least once). */
  redriven: number;
  /** Dead letters per reason (`dlq-reason`). */
  reasons: Record<string, number>;
  /** Dead letters per topic they came from. */
  sources: Record<string, number>;
}

export function summarize(topic: string, entries: DeadLetterEntry[]): DlqTopicSummary {
  const count = (values: string[]) =>
    Object.fromEntries([...values.reduce((all, value) => all.set(value, (all.get(value) ?? 0) + 1), new Map<string, number>())].sort(([a], [b]) => a.localeCompare(b)));
  return {
    topic,
    messages: entries.length,
    redriven: entries.filter((entry) => entry.redriven.length > 0).length,
    reasons: count(entries.map((entry) => entry.info?.reason ?? '(no dlq headers)')),
    sources: count(entries.map((entry) => entry.info?.sourceTopic ?? '(unknown)')),
  };
}

/** What `show` prints: the dead letter's headers, its payload, and its redrives. */
export interface DeadLetterView {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  reason?: string;
  detail?: string;
  source?: { topic: string; partition: number; offset: string };
  consumer?: string;
  attempts?: number;
  time?: string;
  /** The message's own headers (the dlq-* ones are above). */
  headers: Record<string, string>;
  /** The value: parsed when it is JSON, else its text, else (not UTF-8) base64. */
  payload: { encoding: 'json' | 'text' | 'base64' | 'null'; value: unknown };
  redriven: RedriveMark[];
}

export function viewOf(entry: DeadLetterEntry): DeadLetterView {
  const { record, info } = entry;
  return {
    topic: entry.topic,
    partition: entry.partition,
    offset: entry.offset,
    key: record.key === null ? null : record.key.toString('utf8'),
    ...(info
      ? {
          reason: info.reason,
          detail: info.detail,
          source: { topic: info.sourceTopic, partition: info.sourcePartition, offset: info.sourceOffset },
          consumer: info.consumer,
          attempts: info.attempts,
          time: info.time,
        }
      : {}),
    headers: Object.fromEntries(Object.keys(originalHeaders(record.headers)).map((name) => [name, headerText(record.headers, name) ?? ''])),
    payload: payloadOf(record.value),
    redriven: entry.redriven,
  };
}

function payloadOf(value: Buffer | null): DeadLetterView['payload'] {
  if (value === null) return { encoding: 'null', value: null };
  const text = value.toString('utf8');
  if (!Buffer.from(text, 'utf8').equals(value)) return { encoding: 'base64', value: value.toString('base64') };
  try {
    return { encoding: 'json', value: JSON.parse(text) as unknown };
  } catch {
    return { encoding: 'text', value: text };
  }
}

export interface RedriveSelection {
  /** Every dead letter of the topic, or the one at partition/offset. */
  all?: boolean;
  partition?: number;
  offset?: string;
  /** Redrive even what was redriven before. */
  force?: boolean;
}

export interface RedrivePlan {
  send: DeadLetterEntry[];
  skip: { entry: DeadLetterEntry; why: string }[];
}

/** Which dead letters a redrive sends, and which it leaves (already redriven, no source). */
export function planRedrive(entries: DeadLetterEntry[], selection: RedriveSelection): RedrivePlan {
  let chosen: DeadLetterEntry[];
  if (selection.all) {
    chosen = entries;
  } else {
    if (selection.partition === undefined || selection.offset === undefined) throw new Error('give --partition and --offset, or --all');
    const found = entries.find((entry) => entry.partition === selection.partition && entry.offset === selection.offset);
    if (!found) throw new Error(`no dead letter at partition ${selection.partition} offset ${selection.offset}`);
    chosen = [found];
  }
  const plan: RedrivePlan = { send: [], skip: [] };
  for (const entry of chosen) {
    if (!entry.info) plan.skip.push({ entry, why: 'no dlq-source-topic header: not a dead letter this tool can redrive' });
    // A relay's notice that a row was too large to publish carries no value: sent back, it would be a tombstone.
    else if (entry.info.reason === 'too-large') plan.skip.push({ entry, why: 'too large for Kafka, never published: nothing to redrive (dlq-detail names the outbox row)' });
    else if (entry.redriven.length > 0 && !selection.force) plan.skip.push({ entry, why: `already redriven at ${entry.redriven.map((mark) => mark.time).join(', ')} (--force to send it again)` });
    else plan.send.push(entry);
  }
  if (!selection.all && plan.skip.length > 0) throw new Error(`refused: ${plan.skip[0].why}`);
  return plan;
}

export interface RedriveResult {
  topic: string;
  dryRun: boolean;
  redriven: { partition: number; offset: string; to: string; key: string | null }[];
  skipped: { partition: number; offset: string; why: string }[];
}

/** The dead-letter tooling over one Kafka cluster. */
export class DeadLetterTool {
  private readonly kafka: Kafka;

  constructor(private readonly settings: KafkaSettings) {
    this.kafka = new Kafka({ clientId: settings.clientId, brokers: settings.brokers, logLevel: logLevel.NOTHING, retry: { retries: 5 } });
  }

  /** The dead-letter topics that exist (with the contracts' ones first), or the one asked for. */
  async topics(only?: string): Promise<string[]> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const existing = new Set(
        (await admin.listTopics())
          .filter((name) => name.startsWith(this.settings.topicPrefix) && name.endsWith(DEAD_LETTER_SUFFIX))
          .map((name) => unqualify(this.settings, name)),
      );
      if (only !== undefined) {
        const topic = dlqTopicName(only);
        if (!existing.has(topic)) throw new Error(`no dead-letter topic ${topic}`);
        return [topic];
      }
      const known = knownDlqTopics().filter((topic) => existing.has(topic));
      return [...known, ...[...existing].filter((topic) => !known.includes(topic)).sort()];
    } finally {
      await admin.disconnect();
    }
  }

  async list(only?: string): Promise<DlqTopicSummary[]> {
    const topics = await this.topics(only);
    const records = await this.readAll(topics);
    return topics.map((topic) => summarize(topic, entriesOf(topic, records.get(topic) ?? [])));
  }

  async show(topic: string, partition: number, offset: string): Promise<DeadLetterView> {
    const name = dlqTopicName(topic);
    const entry = (await this.entries(name)).find((candidate) => candidate.partition === partition && candidate.offset === offset);
    if (!entry) throw new Error(`no dead letter at ${name} partition ${partition} offset ${offset}`);
    return viewOf(entry);
  }

  /** Re-publish dead letters to the topic they came from (original key and headers), and mark them redriven. */
  async redrive(topic: string, selection: RedriveSelection & { dryRun?: boolean }): Promise<RedriveResult> {
    const name = dlqTopicName(topic);
    const plan = planRedrive(await this.entries(name), selection);
    const result: RedriveResult = {
      topic: name,
      dryRun: selection.dryRun === true,
      redriven: plan.send.map((entry) => ({
        partition: entry.partition,
        offset: entry.offset,
        to: entry.info?.sourceTopic ?? '',
        key: entry.record.key?.toString('utf8') ?? null,
      })),
      skipped: plan.skip.map(({ entry, why }) => ({ partition: entry.partition, offset: entry.offset, why })),
    };
    if (selection.dryRun || plan.send.length === 0) return result;
    const producer = this.kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
    await producer.connect();
    try {
      for (const entry of plan.send) {
        const source = entry.info as DeadLetterInfo;
        await producer.send({
          topic: qualify(this.settings, source.sourceTopic),
          acks: -1,
          messages: [
            {
              key: entry.record.key,
              value: entry.record.value,
              headers: { ...originalHeaders(entry.record.headers), [REDRIVE_HEADERS.from]: `${name}/${entry.partition}/${entry.offset}` },
            },
          ],
        });
        await producer.send({
          topic: qualify(this.settings, name),
          acks: -1,
          messages: [
            {
              key: entry.record.key,
              value: null,
              headers: {
                [REDRIVE_HEADERS.marker]: 'true',
                [REDRIVE_HEADERS.partition]: String(entry.partition),
                [REDRIVE_HEADERS.offset]: entry.offset,
                [REDRIVE_HEADERS.to]: source.sourceTopic,
                [REDRIVE_HEADERS.time]: new Date().toISOString(),
              },
            },
          ],
        });
      }
    } finally {
      await producer.disconnect();
    }
    return result;
  }

  /** Every record of a `.dlq` topic, read once from the beginning to the end it has now. */
  async entries(topic: string): Promise<DeadLetterEntry[]> {
    return entriesOf(topic, (await this.readAll([topic])).get(topic) ?? []);
  }

  /**
   * Every record of the topics, from the beginning to the end each partition has now, with one
   * throwaway consumer group (deleted afterwards): one group join, however many topics.
   */
  private async readAll(topics: string[], timeoutMs = 60_000): Promise<Map<string, DlqRecord[]>> {
    const records = new Map<string, DlqRecord[]>(topics.map((topic) => [topic, []]));
    const admin = this.kafka.admin();
    await admin.connect();
    const groupId = qualify(this.settings, `omni-dlq-cli-${randomBytes(6).toString('hex')}`);
    let joined = false;
    try {
      const qualified = topics.map((topic) => qualify(this.settings, topic));
      if (qualified.length === 0) return records;
      await waitForTopicLeaders(admin, qualified, 10_000);
      /** Partitions still to read, `<qualified topic>:<partition>` → the end offset to reach. */
      const ends = new Map<string, bigint>();
      for (const topic of qualified) {
        for (const partition of await admin.fetchTopicOffsets(topic)) {
          if (BigInt(partition.high) > BigInt(partition.low)) ends.set(`${topic}:${partition.partition}`, BigInt(partition.high));
        }
      }
      if (ends.size === 0) return records;
      const consumer = this.kafka.consumer({ groupId, maxWaitTimeInMs: 100, allowAutoTopicCreation: false });
      await consumer.connect();
      joined = true;
      try {
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`reading ${topics.join(', ')} took more than ${timeoutMs / 1000} s`)), timeoutMs);
          consumer
            .subscribe({ topics: qualified, fromBeginning: true })
            .then(() =>
              consumer.run({
                autoCommit: false,
                eachBatch: async ({ batch }) => {
                  const slot = `${batch.topic}:${batch.partition}`;
                  const end = ends.get(slot);
                  if (end === undefined) return;
                  const list = records.get(unqualify(this.settings, batch.topic)) as DlqRecord[];
                  for (const message of batch.messages) {
                    if (BigInt(message.offset) < end) list.push(recordOf(batch.partition, message));
                  }
                  const last = batch.messages.at(-1);
                  if (last && BigInt(last.offset) + 1n >= end) ends.delete(slot);
                  if (ends.size === 0) {
                    clearTimeout(timer);
                    resolve();
                  }
                },
              }),
            )
            .catch((error: unknown) => {
              clearTimeout(timer);
              reject(error instanceof Error ? error : new Error(String(error)));
            });
        });
      } finally {
        await consumer.disconnect();
      }
      return records;
    } finally {
      if (joined) await admin.deleteGroups([groupId]).catch(() => undefined);
      await admin.disconnect();
    }
  }
}

function recordOf(partition: number, message: KafkaMessage): DlqRecord {
  return { partition, offset: message.offset, key: message.key, value: message.value, headers: message.headers ?? {} };
}

// ---------------------------------------------------------------------------------------------
// Human output

export function formatList(summaries: DlqTopicSummary[]): string {
  if (summaries.length === 0) return 'no dead-letter topics';
  return summaries
    .map((summary) => {
      if (summary.messages === 0) return `${summary.topic}: empty`;
      const head = `${summary.topic}: ${summary.messages} dead letter(s)${summary.redriven > 0 ? `, ${summary.redriven} redriven` : ''}`;
      const reasons = Object.entries(summary.reasons).map(([reason, count]) => `  ${reason}: ${count}`);
      return [head, ...reasons].join('\n');
    })
    .join('\n');
}

export function formatView(view: DeadLetterView): string {
  const payload =
    view.payload.encoding === 'json'
      ? JSON.stringify(view.payload.value, null, 2)
      : view.payload.encoding === 'null'
        ? '(no value)'
        : view.payload.encoding === 'base64'
          ? `(not UTF-8, base64) ${String(view.payload.value)}`
          : String(view.payload.value);
  return [
    `${view.topic} partition ${view.partition} offset ${view.offset}`,
    `  reason:    ${view.reason ?? '(no dlq headers)'}`,
    `  detail:    ${view.detail ?? ''}`,
    `  source:    ${view.source ? `${view.source.topic} partition ${view.source.partition} offset ${view.source.offset}` : '(unknown)'}`,
    `  consumer:  ${view.consumer ?? ''}   attempts: ${view.attempts ?? ''}   at: ${view.time ?? ''}`,
    `  key:       ${view.key ?? '(none)'}`,
    `  redriven:  ${view.redriven.length === 0 ? 'no' : view.redriven.map((mark) => `${mark.time} to ${mark.to}`).join('; ')}`,
    '  headers:',
    ...Object.entries(view.headers).map(([name, value]) => `    ${name}: ${value}`),
    '  payload:',
    ...payload.split('\n').map((line) => `    ${line}`),
  ].join('\n');
}

export function formatRedrive(result: RedriveResult): string {
  const verb = result.dryRun ? 'would redrive' : 'redriven';
  return [
    `${result.topic}: ${result.redriven.length} ${verb}, ${result.skipped.length} skipped${result.dryRun ? ' (dry run: nothing sent)' : ''}`,
    ...result.redriven.map((item) => `  ${verb} partition ${item.partition} offset ${item.offset} → ${item.to} (key ${item.key ?? 'none'})`),
    ...result.skipped.map((item) => `  skipped partition ${item.partition} offset ${item.offset}: ${item.why}`),
  ].join('\n');
}
