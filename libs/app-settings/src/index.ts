export * from './app-settings';
export * from './user-data-rules';
