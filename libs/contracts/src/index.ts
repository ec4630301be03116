export * from './envelope';
export * from './topics';
export * from './message-map';
export * from './decode';
export * from './outcomes/command-outcome';
export * from './commands/user/update-user.command';
export * from './events/user/user-registered.event';
export * from './events/user/user-renamed.event';
