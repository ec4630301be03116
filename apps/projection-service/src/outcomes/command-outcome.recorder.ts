import { Injectable } from '@nestjs/common';
import { COMMAND_ACCEPTED, COMMAND_REJECTED, Message, VisibleOutcomeNotice, outcomeVisibleSql } from '@omni/contracts';
import { MessageHandler } from '@omni/messaging';
import { EntityManager } from 'typeorm';
import { TransactionRunner, batchOf, queryRows, valuesList } from '@omni/persistence';
import { ReadModel } from '../read-model/read-model.provider';
import { ProjectionStore } from '../read-model/projection-store';

type Outcome = Message<typeof COMMAND_ACCEPTED> | Message<typeof COMMAND_REJECTED>;

/**
 * Records command outcomes once (first one wins; a redelivery changes nothing) and signals the
 * gateway. In a consumer's batch the outcomes are inserted together just before it commits.
 */
@Injectable()
export class CommandOutcomeRecorder {
  constructor(
    private readonly tx: TransactionRunner,
    private readonly store: ProjectionStore,
    private readonly model: ReadModel,
  ) {}

  async record(outcome: Outcome): Promise<void> {
    await this.tx.run(async (em) => {
      const batch = batchOf(em);
      if (!batch) return this.insert(em, [outcome]);
      const pending = batch.local(PENDING_OUTCOMES, () => [] as Outcome[]);
      pending.push(outcome);
      batch.once(PENDING_OUTCOMES, (batchEm) => this.insert(batchEm, pending.splice(0)));
    });
  }

  /**
   * Insert outcomes in one statement, in order (of two for one command, the first wins), and signal
   * those inserted: with the outcome itself when it is visible already (its events were applied
   * before it, in this transaction or an earlier one), else by correlation id (its last event will).
   */
  private async insert(em: EntityManager, outcomes: Outcome[]): Promise<void> {
    // Visibility is judged against the versions the batch's events reached.
    await this.store.flushVersions(em);
    const { sql, values } = valuesList(outcomes.map(columnsOf), OUTCOME_COLUMN_TYPES);
    const inserted = await queryRows<{ command_id: string; visible: boolean | null }>(
      em,
      // eslint-disable-next-line omni/sql-parameters -- a VALUES list of placeholders
      `WITH inserted AS (
         INSERT INTO ${this.model.tables.commandOutcomes}
           (command_id, application, command_type, status, aggregate_type, aggregate_id, aggregate_version, created, result, error, other_aggregates)
         VALUES ${sql}
         ON CONFLICT (command_id) DO NOTHING RETURNING *)
       SELECT o.command_id, ${outcomeVisibleSql('o', this.model.tables.entityVersions)} AS visible FROM inserted o`,
      values,
    );
    const first = new Map<string, Outcome>();
    for (const outcome of outcomes) if (!first.has(outcome.payload.commandId)) first.set(outcome.payload.commandId, outcome);
    for (const { command_id, visible } of inserted) {
      const outcome = first.get(command_id)!;
      if (visible === true) await this.store.signalVisible(em, noticeOf(outcome));
      else await this.store.signal(em, outcome.correlationId);
    }
  }
}

/** The types of columnsOf's values. A batch holds at most a few hundred outcomes: far under PostgreSQL's 65,535 parameters. */
const OUTCOME_COLUMN_TYPES = ['uuid', 'text', 'text', 'text', 'text', 'text', 'integer', 'boolean', 'jsonb', 'jsonb', 'jsonb'];

function errorOf(outcome: Outcome): VisibleOutcomeNotice['error'] {
  if (outcome.type === COMMAND_ACCEPTED) return null;
  const { status, code, message, fields } = outcome.payload;
  return { status, code, message, fields: fields ?? [] };
}

function columnsOf(outcome: Outcome): unknown[] {
  const accepted = outcome.type === COMMAND_ACCEPTED;
  const { payload } = outcome;
  const error = errorOf(outcome);
  return [
    payload.commandId,
    outcome.application,
    payload.commandType,
    accepted ? 'accepted' : 'rejected',
    payload.aggregateType,
    outcome.aggregateId,
    outcome.aggregateVersion,
    accepted ? (outcome.payload.created ?? false) : false,
    accepted && outcome.payload.result ? JSON.stringify(outcome.payload.result) : null,
    error ? JSON.stringify(error) : null,
    accepted && outcome.payload.otherAggregates?.length ? JSON.stringify(outcome.payload.otherAggregates) : null,
  ];
}

/** The outcome as a gateway answers it (what `GET /command/{id}` and the write's wait read from the table). */
function noticeOf(outcome: Outcome): VisibleOutcomeNotice {
  const accepted = outcome.type === COMMAND_ACCEPTED;
  return {
    correlationId: outcome.correlationId,
    commandId: outcome.payload.commandId,
    status: accepted ? 'accepted' : 'rejected',
    commandType: outcome.payload.commandType,
    created: accepted ? (outcome.payload.created ?? false) : false,
    result: accepted ? (outcome.payload.result ?? null) : null,
    error: errorOf(outcome),
  };
}

const PENDING_OUTCOMES = Symbol('pending command outcomes');

@Injectable()
export class CommandAcceptedHandler implements MessageHandler<typeof COMMAND_ACCEPTED> {
  readonly type = COMMAND_ACCEPTED;
  constructor(private readonly recorder: CommandOutcomeRecorder) {}
  handle(outcome: Message<typeof COMMAND_ACCEPTED>): Promise<void> {
    return this.recorder.record(outcome);
  }
}

@Injectable()
export class CommandRejectedHandler implements MessageHandler<typeof COMMAND_REJECTED> {
  readonly type = COMMAND_REJECTED;
  constructor(private readonly recorder: CommandOutcomeRecorder) {}
  handle(outcome: Message<typeof COMMAND_REJECTED>): Promise<void> {
    return this.recorder.record(outcome);
  }
}
