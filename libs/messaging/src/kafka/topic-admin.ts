import { Admin, Kafka } from 'kafkajs';
import { TOPIC_SPECS, TopicSpec, deadLetterTopic } from '@omni/contracts';
import { KafkaSettings, qualify } from './kafka-settings';

export interface TopicLayout {
  /** Partitions per topic; the unit of parallelism of every consumer group. */
  partitions: number;
  replicationFactor: number;
}

const HOUR_MS = 60 * 60 * 1000;

/**
 * The snapshot topic's bounds on how long a superseded value (an erased user's plaintext profile)
 * stays on disk. Compaction never touches the active segment, and by default a segment rolls only
 * after 7 days or 1 GiB, and is cleaned only once half the log is dirty: an erased user's earlier
 * snapshots would survive their tombstone for up to a week. Here:
 * - `segment.ms` 1 h: the segment holding the tombstone rolls (on the partition's next write) at
 *   most an hour after it was opened, so it becomes cleanable;
 * - `max.compaction.lag.ms` 1 h: a dirty segment older than that is cleaned whatever the dirty
 *   ratio, so the cleaner drops the older snapshots of the tombstoned key right after the roll;
 * - `min.compaction.lag.ms` 0: no extra delay before a record may be compacted;
 * - `delete.retention.ms` 1 day: how long the tombstone itself stays after its segment was cleaned.
 *   A subscriber must read the tombstone to forget the user, so it is kept long enough for a
 *   subscriber that was down for a restart or an incident, or that bootstraps from the beginning
 *   (which takes minutes), to see it. A subscriber offline for longer may have missed tombstones:
 *   it re-bootstraps (reads the topic from the beginning and replaces its whole state). The
 *   tombstone holds no profile, only the key (`<application>:<userID>`), so a day is the Kafka
 *   default's trade-off and not a privacy concern of the same order as the snapshots'.
 * docs/operations.md (Kafka) and ADR 0008 give the resulting erasure window and the command that
 * applies these settings to an existing topic.
 */
export const SNAPSHOT_TOPIC_CONFIG: Readonly<Record<string, string>> = {
  'cleanup.policy': 'compact',
  'min.compaction.lag.ms': '0',
  'segment.ms': String(HOUR_MS),
  'max.compaction.lag.ms': String(HOUR_MS),
  'delete.retention.ms': String(24 * HOUR_MS),
};

/** Event topics (and dead-letter topics) keep their whole history: the read model is rebuilt from them. */
export const FOREVER_TOPIC_CONFIG: Readonly<Record<string, string>> = { 'retention.ms': '-1' };

/** The configuration a topic of the given retention is created with (topics created earlier keep theirs). */
export function topicConfig(retention: TopicSpec['retention']): Readonly<Record<string, string>> {
  switch (retention) {
    case 'forever':
      return FOREVER_TOPIC_CONFIG;
    case 'compacted':
      return SNAPSHOT_TOPIC_CONFIG;
    case 'default':
      return {};
  }
}

function configFor(retention: TopicSpec['retention']): { name: string; value: string }[] {
  return Object.entries(topicConfig(retention)).map(([name, value]) => ({ name, value }));
}

/**
 * Create every topic of the contracts (and its dead-letter topic) that does not exist yet.
 * Existing topics are left as they are: changing partitions or retention is an operator's decision.
 */
export async function ensureTopics(kafka: Kafka, settings: KafkaSettings, layout: TopicLayout): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const wanted = TOPIC_SPECS.flatMap((spec) => {
      const topics = [{ topic: qualify(settings, spec.name), configEntries: configFor(spec.retention) }];
      if (spec.deadLetter) {
        topics.push({ topic: qualify(settings, deadLetterTopic(spec.name)), configEntries: configFor('forever') });
      }
      return topics;
    }).filter(({ topic }) => !existing.has(topic));
    if (wanted.length === 0) return [];
    await admin.createTopics({
      waitForLeaders: false,
      topics: wanted.map(({ topic, configEntries }) => ({
        topic,
        numPartitions: layout.partitions,
        replicationFactor: layout.replicationFactor,
        configEntries,
      })),
    });
    const created = wanted.map(({ topic }) => topic);
    await waitForTopicLeaders(admin, created);
    return created;
  } finally {
    await admin.disconnect();
  }
}

/**
 * Wait until every partition of `topics` has a leader. kafkajs's own `waitForLeaders` retries only
 * LEADER_NOT_AVAILABLE, but a KRaft broker answers UNKNOWN_TOPIC_OR_PARTITION for a moment after
 * creation, so a client that uses the topic right away would fail.
 */
export async function waitForTopicLeaders(admin: Admin, topics: string[], timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const metadata = await admin.fetchTopicMetadata({ topics });
      const ready = metadata.topics.every(
        (topic) => topic.partitions.length > 0 && topic.partitions.every((partition) => partition.leader >= 0),
      );
      if (ready) return;
    } catch (error) {
      const type = (error as { type?: string }).type;
      if (type !== 'UNKNOWN_TOPIC_OR_PARTITION' && type !== 'LEADER_NOT_AVAILABLE') throw error;
    }
    if (Date.now() > deadline) throw new Error(`topics have no leader after ${timeoutMs} ms: ${topics.join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
