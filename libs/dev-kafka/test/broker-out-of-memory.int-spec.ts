/**
 * A broker out of direct memory (#25) keeps running and fails every request it cannot buffer: the
 * handle of the broker that `npm start` runs must report it. Starts a broker of its own with 1 MiB
 * of direct memory and opens a request of 1.5 MB on a plain socket: the broker reads a request
 * through a direct buffer of its whole size, so the read itself runs out of memory — in its
 * network layer, as in #25, before anything reaches the log.
 */
import { mkdtemp, rm } from 'fs/promises';
import { connect } from 'net';
import { tmpdir } from 'os';
import * as path from 'path';
import { startLocalKafka, type BrokerTrouble, type LocalKafkaHandle } from '../src';
import { waitFor } from '@omni/testing';
import { findFreePortPair } from './free-port';

const BROKER_START_TIMEOUT_MS = 150_000;

let broker: LocalKafkaHandle;
let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'dev-kafka-oom-'));
  broker = await startLocalKafka({ port: await findFreePortPair(), dataDir, directMemoryMb: 1, startTimeoutMs: BROKER_START_TIMEOUT_MS - 30_000 });
  if (!broker.startedByUs) throw new Error(`a broker already answers on ${broker.brokers[0]}: not one this test started`);
}, BROKER_START_TIMEOUT_MS);

afterAll(async () => {
  await broker?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
}, 60_000);

it('reports an OutOfMemoryError of the broker once, and nothing after stop()', async () => {
  const troubles: BrokerTrouble[] = [];
  broker.watch((trouble) => troubles.push(trouble));

  // Kafka's framing: a 4-byte size, then the request; the broker sizes its read by the first.
  const [host, port] = broker.brokers[0].split(':');
  const socket = connect(Number(port), host);
  socket.on('error', () => undefined); // the broker closes it
  const start = Buffer.alloc(4 + 1_000);
  start.writeInt32BE(1_500_000, 0);
  socket.write(start);
  try {
    await waitFor(() => troubles.length > 0, { timeoutMs: 15_000, description: 'the out-of-memory error reported' });
  } finally {
    socket.destroy();
  }
  expect(troubles).toEqual([{ kind: 'out-of-memory', line: expect.stringContaining('Cannot reserve') }]);

  await broker.stop();
  expect(troubles).toHaveLength(1);
});
