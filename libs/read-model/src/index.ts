/**
 * @omni/read-model — the read model the projection-service keeps and the gateway reads: its tables
 * and every query of them outside the projection. See tables.ts.
 */
export * from './tables';
export * from './profiles';
export * from './users';
export * from './outcomes';
export * from './device-filters';
export * from './device-model';
export * from './devices';
export * from './read-model.module';
