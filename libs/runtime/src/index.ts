export * from './bootstrap';
export * from './node-flags';
export * from './shutdown';
