import { Kafka } from 'kafkajs';
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
      waitForLeaders: true,
      topics: wanted.map(({ topic, configEntries }) => ({
        topic,
        numPartitions: layout.partitions,
        replicationFactor: layout.replicationFactor,
        configEntries,
      })),
    });
    return wanted.map(({ topic }) => topic);
  } finally {
    await admin.disconnect();
  }
}
