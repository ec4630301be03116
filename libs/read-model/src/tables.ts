import { quoteIdentifier } from '@omni/persistence';

/** The schema of the live read model; a replay rebuilds it in another schema, then swaps the two. */
export const READ_MODEL_SCHEMA = 'projection';

/**
 * The read model's tables, owned by the projection-service (its migrations create them, its fold
 * writes them) and read by the gateway through this library only. In `schema` (the live one, or a
 * replay's rebuild next to it):
 *
 * - entity_versions: the last applied version per entity (device, user, recipient). Every event is
 *   gated on it, so a duplicate or stale event changes nothing, whatever the interleaving across
 *   aggregates. The gateway reads it to know when a command's effect is visible.
 * - command_outcomes: the outcome of every command, for the gateway's read-your-writes wait and
 *   `GET /command/{id}`.
 * - users: one row per user, with the user's data. `user_name` is derived: the name the
 *   profile-service gave, else the latest name a channel carried (so the order in which user and
 *   channel events arrive does not matter).
 * - devices: one row per push device (its user, properties, tags, device-level data).
 * - recipients: one row per email contact or SMS number (never its verification token).
 * - profile_versions: the version of the last profile snapshot published per user (only grows).
 * - outbox: profile snapshots waiting for the relay (`profile.snapshots`, compacted).
 */
export function readModelTables(schema: string) {
  const s = quoteIdentifier(schema);
  return {
    entityVersions: `${s}.entity_versions`,
    commandOutcomes: `${s}.command_outcomes`,
    users: `${s}.users`,
    devices: `${s}.devices`,
    recipients: `${s}.recipients`,
    profileVersions: `${s}.profile_versions`,
    outbox: `${s}.outbox`,
  } as const;
}

export type ReadModelTables = ReturnType<typeof readModelTables>;

/** The live read model's tables. */
export const READ_MODEL_TABLES: ReadModelTables = readModelTables(READ_MODEL_SCHEMA);
