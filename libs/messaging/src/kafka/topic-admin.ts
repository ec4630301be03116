import { Admin, Kafka } from 'kafkajs';
import { TOPIC_SPECS, TopicSpec, deadLetterTopic } from '@omni/contracts';
import { KafkaSettings, qualify } from './kafka-settings';

export interface TopicLayout {
  /** Partitions per topic; the unit of parallelism of every consumer group. */
  partitions: number;
  replicationFactor: number;
}

function configFor(spec: TopicSpec['retention']): { name: string; value: string }[] {
  switch (spec) {
    case 'forever':
      return [{ name: 'retention.ms', value: '-1' }];
    case 'compacted':
      return [
        { name: 'cleanup.policy', value: 'compact' },
        { name: 'min.compaction.lag.ms', value: '0' },
      ];
    case 'default':
      return [];
  }
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
