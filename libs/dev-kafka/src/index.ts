/**
 * @omni/dev-kafka — a local single-node Apache Kafka broker for development, tests and
 * benchmarks (official Maven Central jars, no Docker). See local-kafka.ts.
 */
export {
  KAFKA_VERSION,
  fetchKafkaJars,
  kafkaJarsCached,
  isKafkaReachable,
  localKafkaStatus,
  startLocalKafka,
  stopLocalKafka,
} from './local-kafka';
export type { BrokerTrouble, LocalKafkaHandle, LocalKafkaOptions, LocalKafkaStatus } from './local-kafka';
