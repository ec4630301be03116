import { defineFaultSuite } from './define-fault-suite';

/**
 * The full fault run (`npm run test:faults`, about 7 minutes): two rounds under a steady load.
 * Round 1: each service killed on its own, the broker stopped, PostgreSQL restarted cleanly, a
 * gateway killed. Round 2: every service killed at once, the broker and PostgreSQL crashed
 * (SIGKILL, immediate shutdown), a gateway killed.
 */
defineFaultSuite('faults (full): each service, the broker, the database and a gateway fail under load, twice', {
  rounds: 2,
  serviceKills: ['each', 'together'],
  kafkaStops: ['clean', 'crash'],
  postgresStops: ['fast', 'immediate'],
  load: { clients: 4, usersPerClient: 3, retryForMs: 120_000, attemptTimeoutMs: 30_000, pauseMs: 10 },
  beforeFaultMs: 2_000,
  afterRecoveryMs: 2_000,
  downMs: 2_000,
  drainTimeoutMs: 90_000,
  recoveryTimeoutMs: 90_000,
  maxLifetimeMs: 12 * 60_000,
});
