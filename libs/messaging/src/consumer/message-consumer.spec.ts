import { EventEmitter } from 'node:events';
import { Kafka } from 'kafkajs';
import { createLogger } from '@omni/observability';
import { MessagePublisher } from '../kafka/message-publisher';
import { MessageConsumer } from './message-consumer';

/** A kafkajs consumer that records connects and runs, and crashes when the test says so. */
function fakeKafka() {
  const emitter = new EventEmitter();
  const calls: string[] = [];
  const consumer = {
    events: { CRASH: 'crash', GROUP_JOIN: 'join' },
    on: (event: string, listener: (event: unknown) => void) => emitter.on(event, listener),
    connect: async () => void calls.push('connect'),
    subscribe: async () => void calls.push('subscribe'),
    run: async () => void calls.push('run'),
    disconnect: async () => void calls.push('disconnect'),
  };
  const crash = (restart: boolean) => emitter.emit('crash', { payload: { error: new Error('Failed to find group coordinator'), restart } });
  return { kafka: { consumer: () => consumer } as unknown as Kafka, calls, crash };
}

describe('MessageConsumer after a crash', () => {
  const logger = createLogger('consumer-test', 'silent');
  const settings = { brokers: [], clientId: 'test', topicPrefix: '' };
  const publisher = {} as MessagePublisher;

  it('starts again by itself when kafkajs gives up on it (an error kafkajs does not retry)', async () => {
    const { kafka, calls, crash } = fakeKafka();
    const consumer = new MessageConsumer(kafka, settings, publisher, logger, { groupId: 'g', topics: ['t'], handlerFor: () => undefined });
    await consumer.start();
    expect(calls).toEqual(['connect', 'subscribe', 'run']);
    crash(false);
    expect(consumer.healthy()).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect(calls).toEqual(['connect', 'subscribe', 'run', 'connect', 'subscribe', 'run']);
    await consumer.stop();
  });

  it('leaves a restart kafkajs does itself to kafkajs, and never restarts once stopped', async () => {
    const { kafka, calls, crash } = fakeKafka();
    const consumer = new MessageConsumer(kafka, settings, publisher, logger, { groupId: 'g', topics: ['t'], handlerFor: () => undefined });
    await consumer.start();
    crash(true);
    await consumer.stop();
    crash(false);
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect(calls).toEqual(['connect', 'subscribe', 'run', 'disconnect']);
  });
});
