/**
 * The read model's shared notions. Tables (schema `projection`):
 *
 * - entity_versions: the last applied version per entity (device, user, recipient). Every event is
 *   gated on it, so a duplicate or stale event changes nothing, whatever the interleaving across
 *   aggregates. The gateway reads it to know when a command's effect is visible.
 * - command_outcomes: the outcome of every command, for the gateway's read-your-writes wait and
 *   `GET /command/{id}`.
 * - users: one row per user, with the user's data.
 * - devices: one row per push device (its user, properties, tags, device-level data).
 * - recipients: one row per email contact or SMS number (never its verification token).
 */
export const PROJECTION_TABLES = {
  entityVersions: 'projection.entity_versions',
  commandOutcomes: 'projection.command_outcomes',
  users: 'projection.users',
  devices: 'projection.devices',
  recipients: 'projection.recipients',
} as const;

/**
 * PostgreSQL channel notified (with the command id as payload) whenever a command's outcome or one
 * of its events becomes visible. Wire name between projection and gateway: change both together.
 */
export const COMMAND_PROGRESS_CHANNEL = 'omni_command_progress';
