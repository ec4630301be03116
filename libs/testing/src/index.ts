export * from './wait-for';
export * from './test-run';
export * from './test-database';
export * from './test-kafka';
export * from './stack';
export * from './http-client';
