import { Admin, ConfigResourceTypes, ConfigSource } from 'kafkajs';
import { TOPIC_SPECS, Topics, deadLetterTopic } from '@omni/contracts';
import { createLogger } from '@omni/observability';
import { TestKafka, testKafka, waitFor } from '@omni/testing';
import { SNAPSHOT_TOPIC_CONFIG, createKafka, ensureTopics, qualify } from '../src';

const HOUR_MS = '3600000';
const DAY_MS = '86400000';
const EVENT_TOPICS = [Topics.deviceEvents, Topics.recipientEvents, Topics.profileEvents, Topics.applicationEvents];
const COMMAND_TOPICS = [Topics.deviceCommands, Topics.recipientCommands, Topics.profileCommands, Topics.commandOutcomes];

interface Setting {
  value: string;
  /** Set on the topic itself (not inherited from the broker's defaults). */
  topicLevel: boolean;
}

/** The broker's answer for each topic: every config with its value and whether the topic sets it. */
async function topicConfigs(admin: Admin, topics: string[]): Promise<Map<string, Record<string, Setting>>> {
  const { resources } = await admin.describeConfigs({
    includeSynonyms: false,
    resources: topics.map((name) => ({ type: ConfigResourceTypes.TOPIC, name })),
  });
  return new Map(
    resources.map((resource) => [
      resource.resourceName,
      Object.fromEntries(
        resource.configEntries.map((entry) => [entry.configName, { value: entry.configValue, topicLevel: entry.configSource === ConfigSource.TOPIC_CONFIG }]),
      ),
    ]),
  );
}

describe('ensureTopics creates the topics with the configuration the platform relies on (read back from the broker)', () => {
  let kafka: TestKafka;
  let admin: Admin;
  const name = (topic: string) => qualify({ topicPrefix: kafka.prefix }, topic);

  beforeAll(async () => {
    kafka = await testKafka(); // runs ensureTopics for a namespace of its own
    admin = kafka.client.admin();
    await admin.connect();
  });

  afterAll(async () => {
    await admin?.disconnect();
  });

  it('profile.snapshots is compacted with a bounded window for superseded snapshots and a day for tombstones', async () => {
    const configs = await topicConfigs(admin, [name(Topics.profileSnapshots)]);
    const snapshot = configs.get(name(Topics.profileSnapshots))!;
    expect({
      'cleanup.policy': snapshot['cleanup.policy'],
      'min.compaction.lag.ms': snapshot['min.compaction.lag.ms'],
      'segment.ms': snapshot['segment.ms'],
      'max.compaction.lag.ms': snapshot['max.compaction.lag.ms'],
      'delete.retention.ms': snapshot['delete.retention.ms'],
    }).toEqual({
      'cleanup.policy': { value: 'compact', topicLevel: true },
      'min.compaction.lag.ms': { value: '0', topicLevel: true },
      'segment.ms': { value: HOUR_MS, topicLevel: true },
      'max.compaction.lag.ms': { value: HOUR_MS, topicLevel: true },
      'delete.retention.ms': { value: DAY_MS, topicLevel: true },
    });
    // Nothing else set on the topic: the constant is the whole of it.
    const topicLevel = Object.entries(snapshot).filter(([, setting]) => setting.topicLevel);
    expect(Object.fromEntries(topicLevel.map(([key, setting]) => [key, setting.value]))).toEqual(SNAPSHOT_TOPIC_CONFIG);
  });

  it('event topics and every dead-letter topic keep their whole history (retention.ms=-1, no size limit)', async () => {
    const kept = [...EVENT_TOPICS, ...TOPIC_SPECS.filter((spec) => spec.deadLetter).map((spec) => deadLetterTopic(spec.name))];
    const configs = await topicConfigs(admin, kept.map(name));
    for (const topic of kept) {
      const config = configs.get(name(topic))!;
      expect({ topic, retention: config['retention.ms'], bytes: config['retention.bytes'].value, cleanup: config['cleanup.policy'].value }).toEqual({
        topic,
        retention: { value: '-1', topicLevel: true },
        bytes: '-1',
        cleanup: 'delete',
      });
    }
  });

  it('command topics keep the broker default retention (transient)', async () => {
    const configs = await topicConfigs(admin, COMMAND_TOPICS.map(name));
    for (const topic of COMMAND_TOPICS) {
      expect({ topic, retention: configs.get(name(topic))!['retention.ms'].topicLevel }).toEqual({ topic, retention: false });
    }
  });

  it('leaves an existing topic as it is: an older deployment keeps its settings until an operator changes them', async () => {
    const snapshots = name(Topics.profileSnapshots);
    // What a deployment created before the bounded window has (AlterConfigs replaces the topic's whole set).
    await admin.alterConfigs({
      validateOnly: false,
      resources: [
        {
          type: ConfigResourceTypes.TOPIC,
          name: snapshots,
          configEntries: [
            { name: 'cleanup.policy', value: 'compact' },
            { name: 'min.compaction.lag.ms', value: '0' },
          ],
        },
      ],
    });
    const topicLevelSettings = async () => {
      const config = (await topicConfigs(admin, [snapshots])).get(snapshots)!;
      return Object.fromEntries(Object.entries(config).filter(([, setting]) => setting.topicLevel).map(([key, setting]) => [key, setting.value]));
    };
    const same = (a: Record<string, string>, b: Record<string, string>) =>
      JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort());
    const old = { 'cleanup.policy': 'compact', 'min.compaction.lag.ms': '0' };
    // The broker applies a config change asynchronously (KRaft metadata): wait until it shows.
    await waitFor(async () => same(await topicLevelSettings(), old), { timeoutMs: 10_000, description: 'the old settings' });
    const settings = kafka.settings('topic-admin-test');
    expect(await ensureTopics(createKafka(settings, createLogger('test', 'silent')), settings, { partitions: 3, replicationFactor: 1 })).toEqual([]);
    expect(await topicLevelSettings()).toEqual(old);

    // The operator's fix (docs/operations.md, Kafka) is accepted by the broker and gives the new topic's settings.
    await admin.alterConfigs({
      validateOnly: false,
      resources: [
        {
          type: ConfigResourceTypes.TOPIC,
          name: snapshots,
          configEntries: Object.entries(SNAPSHOT_TOPIC_CONFIG).map(([key, value]) => ({ name: key, value })),
        },
      ],
    });
    await waitFor(async () => same(await topicLevelSettings(), SNAPSHOT_TOPIC_CONFIG), {
      timeoutMs: 10_000,
      description: 'the bounded window',
    });
  });
});
