/**
 * Local Kafka broker for development.
 *
 *   node -r @swc-node/register scripts/kafka.ts start    # start (or reuse) and wait until ready
 *   node -r @swc-node/register scripts/kafka.ts status   # exit 0 if a broker answers, else 1
 *   node -r @swc-node/register scripts/kafka.ts stop     # stop the broker `start` launched
 *
 * The port comes from KAFKA_PORT (default 9092; the controller uses the next port). Jars and data
 * live in <repo>/.cache/kafka. `start` returns once the broker is usable and leaves it running.
 */
import { KAFKA_VERSION, localKafkaStatus, startLocalKafka, stopLocalKafka, type LocalKafkaOptions } from '../libs/dev-kafka/src';

const USAGE = 'usage: kafka.ts start|stop|status   (env KAFKA_PORT, default 9092)';

function optionsFromEnv(): LocalKafkaOptions {
  const raw = process.env.KAFKA_PORT;
  if (raw === undefined || raw === '') return {};
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65534) throw new Error(`invalid KAFKA_PORT: ${raw}`);
  return { port };
}

async function main(command: string | undefined): Promise<number> {
  const opts = optionsFromEnv();
  switch (command) {
    case 'start': {
      const started = Date.now();
      const kafka = await startLocalKafka(opts);
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      if (kafka.startedByUs) {
        console.log(`Kafka ${KAFKA_VERSION} ready in ${seconds}s (pid ${kafka.pid}); stop it with kafka.ts stop`);
      } else {
        console.log('a Kafka broker is already running there: reusing it');
      }
      console.log(`bootstrap: ${kafka.brokers.join(',')}`);
      return 0;
    }
    case 'status': {
      const status = await localKafkaStatus(opts);
      const pid = status.pid === undefined ? '' : ` (pid ${status.pid})`;
      console.log(`${status.brokers.join(',')}: ${status.reachable ? 'up' : 'down'}${pid}`);
      return status.reachable ? 0 : 1;
    }
    case 'stop': {
      const stopped = await stopLocalKafka(opts);
      console.log(stopped ? 'Kafka stopped' : 'no Kafka broker started by kafka.ts start is running');
      return 0;
    }
    case undefined:
    default:
      console.error(USAGE);
      return 2;
  }
}

main(process.argv[2]).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  },
);
