export * from './bootstrap';
export * from './node-flags';
