import { EntityManager } from 'typeorm';
import {
  COMMAND_ACCEPTED,
  COMMAND_REJECTED,
  CommandAcceptedPayload,
  ERASED_AGGREGATE_ID,
  ERASURE_COMMANDS,
  CommandRejectedPayload,
  CommandType,
  Envelope,
  Message,
  Topics,
  UndecodableMessage,
  causedBy,
  newEnvelope,
} from '@omni/contracts';
import { EventSealer, SubjectErasureInProgress } from '@omni/personal-data';
import { TransactionRunner } from '@omni/persistence';
import { Inbox } from '../inbox/inbox';
import { Outbox } from '../outbox/outbox';
import { OutboxRelay } from '../outbox/outbox-relay';
import { Accepted, Decision, Rejected } from './decision';

/**
 * Builds the outcome message of a command from the use case's decision. A forwarded command's
 * outcome answers for the one it stems from: that command's type and `created`, and visible once
 * what the forwarding service changed is visible too.
 */
export function outcomeOf(command: Envelope, decision: Accepted | Rejected): Envelope {
  const origin = causedBy(command);
  const forwardedFrom = command.forwardedFrom;
  const commandType = forwardedFrom?.commandType ?? command.type;
  // An erasure's outcome outlives it (outbox, command.outcomes, the read model): it must not name the user.
  const aggregateId = ERASURE_COMMANDS.has(command.type) ? ERASED_AGGREGATE_ID : command.aggregateId;
  if (decision.kind === 'accepted') {
    const otherAggregates = [...(decision.otherAggregates ?? []), ...(forwardedFrom?.changed ? [forwardedFrom.changed] : [])];
    const payload: CommandAcceptedPayload = {
      commandId: command.id,
      commandType,
      aggregateType: decision.aggregateType,
      created: forwardedFrom?.created ?? decision.created,
      result: decision.result,
      ...(otherAggregates.length ? { otherAggregates } : {}),
    };
    return newEnvelope({
      type: COMMAND_ACCEPTED,
      application: command.application,
      aggregateId,
      aggregateVersion: decision.version,
      correlationId: origin.correlationId,
      causationId: origin.id,
      payload,
    });
  }
  const payload: CommandRejectedPayload = {
    commandId: command.id,
    commandType,
    aggregateType: decision.aggregateType,
    status: decision.status,
    code: decision.code,
    message: decision.message,
    fields: decision.fields,
  };
  return newEnvelope({
    type: COMMAND_REJECTED,
    application: command.application,
    aggregateId,
    aggregateVersion: null,
    correlationId: origin.correlationId,
    causationId: origin.id,
    payload,
  });
}

/**
 * The transaction every command runs in: claim the command id in the inbox (a redelivery stops
 * here), let the use case change state, then write its events (their personal data sealed with
 * their subjects' keys) and its outcome to the outbox — all committed together. The relay is woken after commit
 * (that of the consumer's batch, when the command runs in one).
 */
export class CommandProcessor {
  constructor(
    private readonly tx: TransactionRunner,
    private readonly inbox: Inbox,
    private readonly outbox: Outbox,
    private readonly relay: OutboxRelay,
    /** The topic this service's events go to. */
    private readonly eventsTopic: string,
    /** Checked in the command's transaction before the use case runs (may throw to retry later). */
    private readonly gate?: (em: EntityManager, command: Envelope) => Promise<void>,
    /** Seals the personal data of the events (crypto-shredding) before they reach the outbox. */
    private readonly sealer: EventSealer = new EventSealer(),
  ) {}

  async process<T extends CommandType>(
    consumer: string,
    command: Message<T>,
    decide: (em: EntityManager, command: Message<T>) => Promise<Decision>,
  ): Promise<Decision | 'duplicate'> {
    try {
      return await this.apply(consumer, command, decide);
    } catch (error) {
      if (!(error instanceof SubjectErasureInProgress)) throw error;
      // Nothing of the command was applied: answer it, so that the client can send it again later.
      return this.reject(consumer, command, Decision.rejected('user', 409, 'USER_ERASURE_IN_PROGRESS', error.message));
    }
  }

  private async apply<T extends CommandType>(
    consumer: string,
    command: Message<T>,
    decide: (em: EntityManager, command: Message<T>) => Promise<Decision>,
  ): Promise<Decision | 'duplicate'> {
    const result = await this.tx.run(async (em) => {
      if (!(await this.inbox.claim(em, consumer, command.id))) return 'duplicate' as const;
      await this.gate?.(em, command);
      const decision = await decide(em, command);
      if (decision.kind !== 'rejected' && decision.events.length > 0) {
        await this.outbox.add(em, this.eventsTopic, ...(await this.sealer.seal(em, decision.events)));
      }
      if (decision.kind === 'forwarded') {
        await this.outbox.add(em, decision.to.topic, decision.to.command);
        return decision;
      }
      if (decision.kind === 'accepted') for (const { topic, command: other } of decision.commands ?? []) await this.outbox.add(em, topic, other);
      await this.outbox.add(em, Topics.commandOutcomes, outcomeOf(command, decision));
      return decision;
    });
    this.wakeRelay();
    return result;
  }

  private async reject(consumer: string, command: Envelope, decision: Rejected): Promise<Decision | 'duplicate'> {
    const claimed = await this.tx.run(async (em) => {
      if (!(await this.inbox.claim(em, consumer, command.id))) return false;
      await this.outbox.add(em, Topics.commandOutcomes, outcomeOf(command, decision));
      return true;
    });
    this.wakeRelay();
    return claimed ? decision : 'duplicate';
  }

  /**
   * A command whose payload broke the contract is dead-lettered by the consumer; the client
   * that sent it still gets a 400 naming the fields, through a rejected outcome.
   */
  async rejectUndecodable(consumer: string, error: UndecodableMessage, aggregateType: string): Promise<void> {
    const command = error.envelope;
    if (error.reason !== 'invalid-payload' || !command) return;
    await this.tx.run(async (em) => {
      if (!(await this.inbox.claim(em, consumer, command.id))) return;
      const decision = Decision.rejected(aggregateType, 400, 'VALIDATION_FAILED', error.message, error.fields);
      await this.outbox.add(em, Topics.commandOutcomes, outcomeOf(command, decision));
    });
    this.wakeRelay();
  }

  private wakeRelay(): void {
    this.tx.afterCommit(() => this.relay.wake());
  }
}
