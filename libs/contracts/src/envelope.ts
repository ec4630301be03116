import { randomUUID } from 'node:crypto';

/**
 * The one envelope every message on the wire carries, command, event or outcome alike.
 *
 * Field names are part of the wire contract: subscribers outside this repository read them.
 * Add fields compatibly (optional, ignored by old readers); a breaking change needs a new
 * `schemaVersion` and a migration plan.
 */
export interface Envelope<TType extends string = string, TPayload = unknown> {
  /** Unique message id (UUID). Consumers deduplicate on it. */
  id: string;
  /** `<aggregate>.<verb>`: imperative for commands (`user.update`), past tense for events (`user.renamed`). */
  type: TType;
  /** Version of the payload schema for this type. */
  schemaVersion: number;
  /** ISO 8601 time the message was created. */
  time: string;
  /** The application (tenant) the message belongs to: its application key. */
  application: string;
  /** Id of the aggregate the message is about (device id, user id, recipient id). */
  aggregateId: string;
  /**
   * For events and outcomes: the aggregate's version after the change (1 for the first event).
   * For commands: null (the handling service decides the version).
   */
  aggregateVersion: number | null;
  /**
   * The id every service logs this message under: the client's own `X-Correlation-Id` when it sent
   * a sane one, else the id of the command this message stems from (then equal to `id` on the
   * command itself). Several commands may share one.
   */
  correlationId: string;
  /** The id of the message that directly caused this one (null on a command from the gateway). */
  causationId: string | null;
  /**
   * Commands only, optional: the version of the application's settings the gateway accepted the
   * command under. A service applies the command only once its copy of the settings has reached
   * that version, so a client that changes a setting and then writes is judged by the new setting.
   */
  requiresSettingsVersion?: number;
  /**
   * Events only, optional: the userID of the person the event's personal data belongs to (see
   * personal-data.ts). On the wire it is sealed with that user's key, like the personal fields of
   * the payload; it is absent when the event is about an anonymous channel.
   */
  subject?: string;
  /**
   * Commands only, optional: set on a command that a service forwarded to the owner of the data it
   * carries (ADR 0015). Such a command keeps the id of the one it stems from and answers for it.
   */
  forwardedFrom?: ForwardedFrom;
  payload: TPayload;
}

/** What the owner of a forwarded command puts in its outcome, for the command it answers for. */
export interface ForwardedFrom {
  /** The type of the command the client sent (its outcome reports it). */
  commandType: string;
  /** Whether that command created what the forwarding service holds (201 where the API says so). */
  created?: boolean;
  /** What the forwarding service changed: the outcome is visible once that is too. */
  changed?: { aggregateType: string; aggregateId: string; version: number };
}

/** What a producer of a message knows; the rest of the envelope is filled in by `newEnvelope`. */
export interface EnvelopeInit<TType extends string, TPayload> {
  type: TType;
  application: string;
  aggregateId: string;
  aggregateVersion: number | null;
  payload: TPayload;
  schemaVersion?: number;
  /** Defaults to the new message's own id (a command starts its own correlation). */
  correlationId?: string;
  causationId?: string | null;
  id?: string;
  time?: Date;
  requiresSettingsVersion?: number;
  subject?: string | null;
  forwardedFrom?: ForwardedFrom;
}

export function newEnvelope<TType extends string, TPayload>(
  init: EnvelopeInit<TType, TPayload>,
): Envelope<TType, TPayload> {
  const id = init.id ?? randomUUID();
  return {
    id,
    type: init.type,
    schemaVersion: init.schemaVersion ?? 1,
    time: (init.time ?? new Date()).toISOString(),
    application: init.application,
    aggregateId: init.aggregateId,
    aggregateVersion: init.aggregateVersion,
    correlationId: init.correlationId ?? id,
    causationId: init.causationId ?? null,
    ...(init.requiresSettingsVersion !== undefined ? { requiresSettingsVersion: init.requiresSettingsVersion } : {}),
    ...(init.subject ? { subject: init.subject } : {}),
    ...(init.forwardedFrom ? { forwardedFrom: init.forwardedFrom } : {}),
    payload: init.payload,
  };
}

/** The metadata a handler passes on from the message it handles to the messages it emits. */
export interface CausedBy {
  id: string;
  correlationId: string;
  application: string;
}

export function causedBy(message: Envelope): CausedBy {
  return { id: message.id, correlationId: message.correlationId, application: message.application };
}

/**
 * A command for the owner of the data `command` carries, answering for it (ADR 0015): the same id
 * (the owner's outcome is the client's answer), correlation and settings version, caused by it.
 */
export function forwardedCommand<TType extends string, TPayload>(
  command: Envelope,
  init: { type: TType; aggregateId: string; payload: TPayload; forwardedFrom?: Omit<ForwardedFrom, 'commandType'> },
): Envelope<TType, TPayload> {
  return newEnvelope({
    id: command.id,
    type: init.type,
    application: command.application,
    aggregateId: init.aggregateId,
    aggregateVersion: null,
    correlationId: command.correlationId,
    causationId: command.id,
    requiresSettingsVersion: command.requiresSettingsVersion,
    forwardedFrom: { commandType: command.type, ...init.forwardedFrom },
    payload: init.payload,
  });
}

/**
 * Kafka message key for a message about an aggregate. It carries the application so that
 * two tenants' aggregates with the same id never share ordering or compaction.
 */
export function messageKey(application: string, aggregateId: string): string {
  return `${application}:${aggregateId}`;
}
