import { AggregateVersion, Envelope, FieldError } from '@omni/contracts';

/**
 * What a use case decided about a command: applied (with the events it emitted), refused, or
 * forwarded to the owner of the data it carries, which answers for it (ADR 0015).
 */
export type Decision = Accepted | Rejected | Forwarded;

/** A command for another service, written to the outbox with the decision's changes. */
export interface OutgoingCommand {
  topic: string;
  command: Envelope;
}

export interface Accepted {
  kind: 'accepted';
  aggregateType: string;
  /** The aggregate's version once the events are applied (its current version if nothing changed). */
  version: number;
  events: Envelope[];
  /** The aggregate did not exist before (the gateway answers 201 where the API says so). */
  created?: boolean;
  result?: Record<string, unknown>;
  /** Other aggregates the command changed: the gateway waits until they are visible too. */
  otherAggregates?: AggregateVersion[];
  /** Commands for the other services' parts of this one (an erasure's), each answered on its own. */
  commands?: OutgoingCommand[];
}

/**
 * Handed on: the events of what this service changed, if anything, and the command (built with
 * `forwardedCommand`: the same id) that the owner of the rest answers for it. No outcome here.
 */
export interface Forwarded {
  kind: 'forwarded';
  events: Envelope[];
  to: OutgoingCommand;
}

export interface Rejected {
  kind: 'rejected';
  aggregateType: string;
  status: number;
  code: string;
  message: string;
  fields?: FieldError[];
}

export const Decision = {
  accepted(
    aggregateType: string,
    version: number,
    events: Envelope[],
    extra: Partial<Pick<Accepted, 'created' | 'result' | 'otherAggregates' | 'commands'>> = {},
  ): Accepted {
    return { kind: 'accepted', aggregateType, version, events, ...extra };
  },
  rejected(aggregateType: string, status: number, code: string, message: string, fields?: FieldError[]): Rejected {
    return { kind: 'rejected', aggregateType, status, code, message, fields };
  },
  forwarded(topic: string, command: Envelope, events: Envelope[] = []): Forwarded {
    return { kind: 'forwarded', events, to: { topic, command } };
  },
};

/**
 * The aggregates other than `aggregateId` that `events` change, each at its last version: what a
 * command's outcome must also wait for when one command changes several aggregates.
 */
export function otherAggregatesOf(aggregateType: string, aggregateId: string, events: readonly Envelope[]): AggregateVersion[] {
  const versions = new Map<string, number>();
  for (const event of events) {
    if (event.aggregateId === aggregateId || event.aggregateVersion === null) continue;
    versions.set(event.aggregateId, Math.max(versions.get(event.aggregateId) ?? 0, event.aggregateVersion));
  }
  return [...versions].map(([id, version]) => ({ aggregateType, aggregateId: id, version }));
}
