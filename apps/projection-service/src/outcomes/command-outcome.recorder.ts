import { Injectable } from '@nestjs/common';
import { COMMAND_ACCEPTED, COMMAND_REJECTED, Message } from '@omni/contracts';
import { MessageHandler } from '@omni/messaging';
import { EntityManager } from 'typeorm';
import { TransactionRunner, batchOf, queryRows } from '@omni/persistence';
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

  /** Insert outcomes in one statement, in order (of two for one command, the first wins); signal those inserted. */
  private async insert(em: EntityManager, outcomes: Outcome[]): Promise<void> {
    const values: unknown[] = [];
    const rows = outcomes.map((outcome, index) => {
      values.push(...columnsOf(outcome));
      const n = index * COLUMNS;
      return `($${n + 1}, $${n + 2}, $${n + 3}, $${n + 4}, $${n + 5}, $${n + 6}, $${n + 7}, $${n + 8}, $${n + 9}::jsonb, $${n + 10}::jsonb, $${n + 11}::jsonb)`;
    });
    const inserted = await queryRows<{ command_id: string }>(
      em,
      // eslint-disable-next-line omni/sql-parameters -- placeholders only: ($1, …, $11::jsonb), …
      `INSERT INTO ${this.model.tables.commandOutcomes}
         (command_id, application, command_type, status, aggregate_type, aggregate_id, aggregate_version, created, result, error, other_aggregates)
       VALUES ${rows.join(', ')}
       ON CONFLICT (command_id) DO NOTHING RETURNING command_id`,
      values,
    );
    for (const { command_id } of inserted) await this.store.signal(em, command_id);
  }
}

/** Parameters a row. A batch holds at most a few hundred outcomes: far under PostgreSQL's 65,535 parameters. */
const COLUMNS = 11;

function columnsOf(outcome: Outcome): unknown[] {
  const accepted = outcome.type === COMMAND_ACCEPTED;
  const { payload } = outcome;
  const error = accepted
    ? null
    : { status: outcome.payload.status, code: outcome.payload.code, message: outcome.payload.message, fields: outcome.payload.fields ?? [] };
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
