/**
 * Kafka topic names: the single place they are spelled.
 *
 * These are WIRE NAMES. Services, subscribers and retained history depend on them.
 * Renaming one needs a migration plan (dual-publish, move consumers, then retire the old
 * topic) — never a plain edit here.
 */
export const Topics = {
  deviceCommands: 'device.commands',
  deviceEvents: 'device.events',
  recipientCommands: 'recipient.commands',
  recipientEvents: 'recipient.events',
  profileCommands: 'profile.commands',
  profileEvents: 'profile.events',
  /** Application lifecycle and settings, published by the gateway (owner of the registry). */
  applicationEvents: 'application.events',
  /** Outcome of every command (accepted or rejected), for the gateway's read-your-writes wait. */
  commandOutcomes: 'command.outcomes',
  /** Compacted: key = application and userID, value = full unified profile; tombstone on erasure. */
  profileSnapshots: 'profile.snapshots',
} as const;

export type Topic = (typeof Topics)[keyof typeof Topics];

/** The topics of commands (requests to a service), as opposed to facts: what a service forwards to another goes there. */
export const COMMAND_TOPICS: ReadonlySet<string> = new Set([Topics.deviceCommands, Topics.recipientCommands, Topics.profileCommands]);

/** Suffix of the dead-letter topic that goes with a topic: what its consumers could not process, or its relay not publish (too large). */
export const DEAD_LETTER_SUFFIX = '.dlq';

export function deadLetterTopic(topic: string): string {
  return `${topic}${DEAD_LETTER_SUFFIX}`;
}

export interface TopicSpec {
  name: Topic;
  /** Event topics keep their history forever so that the read model can be rebuilt from them. */
  retention: 'forever' | 'default' | 'compacted';
  deadLetter: boolean;
}

export const TOPIC_SPECS: readonly TopicSpec[] = [
  { name: Topics.deviceCommands, retention: 'default', deadLetter: true },
  { name: Topics.recipientCommands, retention: 'default', deadLetter: true },
  { name: Topics.profileCommands, retention: 'default', deadLetter: true },
  { name: Topics.deviceEvents, retention: 'forever', deadLetter: true },
  { name: Topics.recipientEvents, retention: 'forever', deadLetter: true },
  { name: Topics.profileEvents, retention: 'forever', deadLetter: true },
  { name: Topics.applicationEvents, retention: 'forever', deadLetter: true },
  { name: Topics.commandOutcomes, retention: 'default', deadLetter: true },
  { name: Topics.profileSnapshots, retention: 'compacted', deadLetter: true },
];
