export * from './data-source';
export * from './database';
export * from './transaction';
export * from './database.module';
export * from './query-rows';
export * from './serialization-failure';
export * from './coalescing-queue';
