/**
 * Loaded into every jest worker (jest.config.js `setupFiles`): a worker whose runner is gone (jest
 * killed) exits too, instead of running on with the apps it started; their IPC channels then close
 * and they stop (libs/runtime's GracefulShutdown).
 */
if (process.channel) process.once('disconnect', () => process.exit(1));
