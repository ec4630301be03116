import { defineFaultSuite } from './define-fault-suite';

/**
 * The short fault run of `npm test` (about a minute and a half): one round, the four services
 * killed together, a small load. The full run is faults.faults-spec.ts (`npm run test:faults`).
 */
defineFaultSuite('faults (short): every service, the broker, the database and a gateway fail under load', {
  rounds: 1,
  serviceKills: ['together'],
  kafkaStops: ['clean'],
  postgresStops: ['immediate'],
  load: { clients: 3, usersPerClient: 2, retryForMs: 90_000, attemptTimeoutMs: 30_000, pauseMs: 20 },
  beforeFaultMs: 1_000,
  afterRecoveryMs: 1_000,
  downMs: 1_000,
  drainTimeoutMs: 60_000,
  recoveryTimeoutMs: 60_000,
  maxLifetimeMs: 6 * 60_000,
});
