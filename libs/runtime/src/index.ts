export * from './bootstrap';
export * from './app-process';
export * from './shutdown';
