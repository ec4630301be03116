import { Kafka, TopicMessages } from 'kafkajs';
import { MessagePublisher, OutgoingRecord } from './message-publisher';

/** A Kafka whose producer records each send and lets the test decide when it is acknowledged. */
function fakeKafka() {
  const sends: { topicMessages: TopicMessages[]; ack: () => void; fail: (error: Error) => void }[] = [];
  const producer = {
    connect: () => Promise.resolve(),
    disconnect: () => Promise.resolve(),
    sendBatch: ({ topicMessages }: { topicMessages: TopicMessages[] }) =>
      new Promise<void>((resolve, reject) => sends.push({ topicMessages, ack: resolve, fail: reject })),
  };
  return { kafka: { producer: () => producer } as unknown as Kafka, sends };
}

const record = (topic: string, key: string): OutgoingRecord => ({ topic, key, value: `{"key":"${key}"}` });
const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('MessagePublisher', () => {
  it('sends one batch at a time, and merges what waits meanwhile into the next, each caller in order', async () => {
    const { kafka, sends } = fakeKafka();
    const publisher = new MessagePublisher(kafka, { brokers: [], clientId: 'test', topicPrefix: 'p.' });

    const first = publisher.publish([record('a', 'k1')]);
    await flush();
    const second = publisher.publish([record('a', 'k2'), record('b', 'k3')]);
    const third = publisher.publish([record('a', 'k4')]);
    await flush();
    expect(sends).toHaveLength(1); // the others wait for the first to be acknowledged

    sends[0].ack();
    await first;
    await flush();
    expect(sends).toHaveLength(2);
    expect(sends[1].topicMessages.map((t) => [t.topic, t.messages.map((m) => m.key)])).toEqual([
      ['p.a', ['k2', 'k4']],
      ['p.b', ['k3']],
    ]);
    sends[1].ack();
    await expect(Promise.all([second, third])).resolves.toEqual([undefined, undefined]);
  });

  it('a failed send fails every caller merged into it, and the next publish still goes out', async () => {
    const { kafka, sends } = fakeKafka();
    const publisher = new MessagePublisher(kafka, { brokers: [], clientId: 'test', topicPrefix: '' });

    const first = publisher.publish([record('a', 'k1')]);
    await flush();
    const second = publisher.publish([record('a', 'k2')]);
    const third = publisher.publish([record('a', 'k3')]);
    sends[0].ack();
    await first;
    await flush();
    sends[1].fail(new Error('broker gone'));
    await expect(second).rejects.toThrow('broker gone');
    await expect(third).rejects.toThrow('broker gone');

    const fourth = publisher.publish([record('a', 'k4')]);
    await flush();
    await flush();
    sends[2].ack();
    await expect(fourth).resolves.toBeUndefined();
  });
});

describe('MessagePublisher, a publish larger than one send', () => {
  const big = (key: string): OutgoingRecord => ({ topic: 'snapshots', key, value: 'x'.repeat(200 * 1024) });

  it('goes in several sends of at most 512 KiB, in order, each after the previous one was acknowledged', async () => {
    const { kafka, sends } = fakeKafka();
    const publisher = new MessagePublisher(kafka, { brokers: [], clientId: 'test', topicPrefix: '' });
    const done = publisher.publish(['k1', 'k2', 'k3', 'k4', 'k5'].map(big));
    const keysOf = (index: number) => sends[index].topicMessages.flatMap((t) => t.messages.map((m) => m.key));
    for (const expected of [['k1', 'k2'], ['k3', 'k4'], ['k5']]) {
      await flush();
      expect(sends).toHaveLength(expected[0] === 'k1' ? 1 : expected[0] === 'k3' ? 2 : 3);
      expect(keysOf(sends.length - 1)).toEqual(expected);
      sends[sends.length - 1].ack();
    }
    await expect(done).resolves.toBeUndefined();
  });

  it('stops at a failed send: what follows it is not sent, so a retry cannot be overtaken', async () => {
    const { kafka, sends } = fakeKafka();
    const publisher = new MessagePublisher(kafka, { brokers: [], clientId: 'test', topicPrefix: '' });
    const done = publisher.publish(['k1', 'k2', 'k3', 'k4', 'k5'].map(big));
    await flush();
    sends[0].fail(new Error('broker gone'));
    await expect(done).rejects.toThrow('broker gone');
    await flush();
    expect(sends).toHaveLength(1);
  });
});
