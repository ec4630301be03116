import { AggregateVersion, Envelope, FieldError } from '@omni/contracts';

/** What a use case decided about a command: applied (with the events it emitted) or refused. */
export type Decision = Accepted | Rejected;

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
  accepted(aggregateType: string, version: number, events: Envelope[], extra: Partial<Pick<Accepted, 'created' | 'result' | 'otherAggregates'>> = {}): Accepted {
    return { kind: 'accepted', aggregateType, version, events, ...extra };
  },
  rejected(aggregateType: string, status: number, code: string, message: string, fields?: FieldError[]): Rejected {
    return { kind: 'rejected', aggregateType, status, code, message, fields };
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
