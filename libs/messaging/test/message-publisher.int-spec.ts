import { connect } from 'node:net';
import { ISocketFactory, Kafka, logLevel } from 'kafkajs';
import { Envelope, Topics, newEnvelope } from '@omni/contracts';
import { TestKafka, TopicRecorder, testKafka, waitFor } from '@omni/testing';
import { MessagePublisher, recordFor } from '../src';

/** Kafka's api key of a Produce request (request header: int32 size, int16 api key, …). */
const PRODUCE = 0;

/**
 * Sockets whose answers to Produce requests can be made to vanish: the broker appends the batch,
 * the connection drops before the client hears back — what a broker restart or a network cut
 * does to a request in flight. The client cannot know whether the batch was written.
 */
function socketsLosingProduceAnswers(): { factory: ISocketFactory; lose: (answers: number) => void } {
  let toLose = 0;
  const factory: ISocketFactory = ({ host, port, onConnect }) => {
    const socket = connect({ host, port }, onConnect);
    let produceInFlight = false;
    const write = socket.write.bind(socket) as (chunk: unknown, ...rest: unknown[]) => boolean;
    socket.write = ((chunk: unknown, ...rest: unknown[]) => {
      if (toLose > 0 && Buffer.isBuffer(chunk) && chunk.length >= 6 && chunk.readInt16BE(4) === PRODUCE) produceInFlight = true;
      return write(chunk, ...rest);
    }) as typeof socket.write;
    const emit = socket.emit.bind(socket) as (event: string | symbol, ...args: unknown[]) => boolean;
    socket.emit = ((event: string | symbol, ...args: unknown[]) => {
      if (event === 'data' && produceInFlight) {
        toLose -= 1;
        socket.destroy(new Error('connection lost before the answer'));
        return true;
      }
      return emit(event, ...args);
    }) as typeof socket.emit;
    return socket;
  };
  return { factory, lose: (answers) => (toLose = answers) };
}

function event(userName: string): Envelope {
  return newEnvelope({ type: 'user.renamed', application: 'app-publisher', aggregateId: 'u1', aggregateVersion: 1, payload: { userName } });
}

describe('MessagePublisher (real Kafka)', () => {
  let kafka: TestKafka;
  let recorder: TopicRecorder;
  const publishers: MessagePublisher[] = [];

  beforeAll(async () => {
    kafka = await testKafka();
    recorder = await new TopicRecorder(kafka, Topics.profileEvents).start();
  });

  afterAll(async () => {
    await Promise.all(publishers.map((publisher) => publisher.disconnect()));
    await recorder?.stop();
  });

  async function publisherWith(sockets: ReturnType<typeof socketsLosingProduceAnswers>): Promise<MessagePublisher> {
    const client = new Kafka({
      brokers: kafka.brokers,
      clientId: 'publisher-test',
      socketFactory: sockets.factory,
      retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 300 },
      logLevel: logLevel.NOTHING,
    });
    const publisher = new MessagePublisher(client, kafka.settings('publisher-test'));
    publishers.push(publisher);
    await publisher.connect();
    // A first message through, so the partition has its leader and the producer its id.
    await waitFor(() => publisher.publish([recordFor(Topics.profileEvents, event('warm-up'))]).then(() => true), {
      timeoutMs: 20_000,
      description: 'a first message published',
    });
    return publisher;
  }

  const publishedIds = () => recorder.values<Envelope>().map((message) => message.id);

  it('a message published after a send whose answer was lost is written, not taken for a retry of that send', async () => {
    const sockets = socketsLosingProduceAnswers();
    const publisher = await publisherWith(sockets);
    const unanswered = event('written, answer lost');
    const next = event('published next');

    sockets.lose(Number.POSITIVE_INFINITY);
    await expect(publisher.publish([recordFor(Topics.profileEvents, unanswered)])).rejects.toThrow();
    sockets.lose(0);
    await publisher.publish([recordFor(Topics.profileEvents, next)]);

    await waitFor(() => publishedIds().includes(unanswered.id), { description: 'the batch whose answer was lost' });
    // Reusing the lost batch's sequence numbers, the broker would acknowledge this one as a
    // duplicate of it, and drop it.
    await waitFor(() => publishedIds().includes(next.id), { timeoutMs: 5_000, description: 'the message published next' });
  });

  it('a message published while another send is being retried is written too', async () => {
    const sockets = socketsLosingProduceAnswers();
    const publisher = await publisherWith(sockets);
    const retried = event('answer lost once, retried');
    const meanwhile = event('published meanwhile');

    sockets.lose(1);
    await Promise.all([
      publisher.publish([recordFor(Topics.profileEvents, retried)]),
      publisher.publish([recordFor(Topics.profileEvents, meanwhile)]),
    ]);

    await waitFor(() => publishedIds().includes(retried.id), { description: 'the retried message' });
    await waitFor(() => publishedIds().includes(meanwhile.id), { timeoutMs: 5_000, description: 'the message published meanwhile' });
    expect(publishedIds().filter((id) => id === retried.id)).toHaveLength(1);
  });
});
