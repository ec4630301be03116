import { DynamicModule, INestApplication } from '@nestjs/common';
import { deadLetterTopic } from '@omni/contracts';
import { MessagePublisher, createKafka } from '@omni/messaging';
import type { Logger } from '@omni/observability';
import { bootstrapService } from '@omni/runtime';
import { TestDatabase, testDatabase } from './test-database';
import { TestKafka, TopicRecorder, testKafka } from './test-kafka';

/** A command service running in-process on the real broker and a database of its own, with probes. */
export interface CommandServiceHarness {
  db: TestDatabase;
  kafka: TestKafka;
  app: INestApplication;
  /** For the test's own commands and events. */
  publisher: MessagePublisher;
  /** Everything on command.outcomes, the service's events topic and its commands' dead-letter topic. */
  outcomes: TopicRecorder;
  events: TopicRecorder;
  deadLetters: TopicRecorder;
  stop(): Promise<void>;
}

/**
 * Start one command service the way its integration tests need it: a cloned database, a topic
 * namespace, the app (HTTP on a free port, consumer running), a publisher and recorders.
 * `module` builds the app's module from the environment it should read its configuration from.
 */
export async function startCommandService(options: {
  name: string;
  commandsTopic: string;
  eventsTopic: string;
  outcomesTopic: string;
  logger: Logger;
  module: (env: NodeJS.ProcessEnv) => DynamicModule;
}): Promise<CommandServiceHarness> {
  const [db, kafka] = await Promise.all([testDatabase(), testKafka()]);
  const env = { DATABASE_URL: db.url, KAFKA_BROKERS: kafka.brokers.join(','), KAFKA_TOPIC_PREFIX: kafka.prefix, PORT: '0' };
  const app = await bootstrapService({ name: options.name, module: options.module(env), logger: options.logger, port: 0, host: '127.0.0.1', consume: true });
  const publisher = new MessagePublisher(createKafka(kafka.settings('test-client'), options.logger), kafka.settings('test-client'));
  await publisher.connect();
  const [outcomes, events, deadLetters] = await Promise.all([
    new TopicRecorder(kafka, options.outcomesTopic).start(),
    new TopicRecorder(kafka, options.eventsTopic).start(),
    new TopicRecorder(kafka, deadLetterTopic(options.commandsTopic)).start(),
  ]);
  return {
    db,
    kafka,
    app,
    publisher,
    outcomes,
    events,
    deadLetters,
    async stop() {
      await Promise.all([outcomes.stop(), events.stop(), deadLetters.stop(), publisher.disconnect()]);
      await app.close();
      await db.drop();
    },
  };
}
