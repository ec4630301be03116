export * from './wait-for';
export * from './test-run';
export * from './test-database';
export * from './test-kafka';
export * from './stack';
export * from './http-client';
// Topic creation that waits for leaders (KRaft answers UNKNOWN_TOPIC_OR_PARTITION for a moment).
export { waitForTopicLeaders } from '@omni/messaging';
export * from './strict-fake';
export * from './command-service';
export * from './schema-rows';
export * from './statements';
