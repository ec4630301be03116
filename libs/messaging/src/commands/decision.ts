import { Envelope, FieldError } from '@omni/contracts';

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
  accepted(aggregateType: string, version: number, events: Envelope[], extra: Partial<Pick<Accepted, 'created' | 'result'>> = {}): Accepted {
    return { kind: 'accepted', aggregateType, version, events, ...extra };
  },
  rejected(aggregateType: string, status: number, code: string, message: string, fields?: FieldError[]): Rejected {
    return { kind: 'rejected', aggregateType, status, code, message, fields };
  },
};
