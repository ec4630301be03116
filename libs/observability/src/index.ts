export * from './correlation';
export * from './logger';
export * from './health';
export * from './observability.module';
export * from './metrics';
