import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { TOPIC_SPECS, deadLetterTopic } from '@omni/contracts';
import { topicConfig } from './topic-admin';

interface Channel {
  address: string;
  description?: string;
  bindings?: { kafka?: { topicConfiguration?: Record<string, unknown> } };
}

/** The topic settings the AsyncAPI Kafka binding can express (TopicConfiguration Object). */
const BINDING_SETTINGS = new Set(['cleanup.policy', 'retention.ms', 'retention.bytes', 'delete.retention.ms', 'max.message.bytes']);

const channels = Object.values(
  (parse(readFileSync(path.resolve(__dirname, '../../../../docs/asyncapi.yaml'), 'utf8')) as { channels: Record<string, Channel> }).channels,
);

describe('docs/asyncapi.yaml documents the settings ensureTopics creates each topic with', () => {
  const topics = TOPIC_SPECS.flatMap((spec) => [
    { topic: spec.name, config: topicConfig(spec.retention) },
    ...(spec.deadLetter ? [{ topic: deadLetterTopic(spec.name), config: topicConfig('forever') }] : []),
  ]);

  it.each(topics)('$topic', ({ topic, config }) => {
    const channel = channels.find((candidate) => candidate.address === topic);
    const documented = Object.fromEntries(
      Object.entries(channel?.bindings?.kafka?.topicConfiguration ?? {}).map(([name, value]) => [name, Array.isArray(value) ? value.join(',') : String(value)]),
    );
    const expressible = Object.fromEntries(Object.entries(config).filter(([name]) => BINDING_SETTINGS.has(name)));
    expect(documented).toEqual(expressible);
    // The others are spelled out in the channel's description.
    for (const [name, value] of Object.entries(config).filter(([key]) => !BINDING_SETTINGS.has(key))) {
      expect(channel?.description).toContain(`${name}=${value}`);
    }
  });
});
