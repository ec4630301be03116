export * from './cipher';
export * from './subject-keys';
export * from './event-sealing';
