import { Injectable } from '@nestjs/common';
import { COMMAND_ACCEPTED, COMMAND_REJECTED, Message } from '@omni/contracts';
import { MessageHandler } from '@omni/messaging';
import { TransactionRunner } from '@omni/persistence';
import { ReadModel } from '../read-model/read-model.provider';
import { ProjectionStore } from '../read-model/projection-store';

type Outcome = Message<typeof COMMAND_ACCEPTED> | Message<typeof COMMAND_REJECTED>;

/** Records command outcomes once (first one wins; a redelivery changes nothing) and signals the gateway. */
@Injectable()
export class CommandOutcomeRecorder {
  constructor(
    private readonly tx: TransactionRunner,
    private readonly store: ProjectionStore,
    private readonly model: ReadModel,
  ) {}

  async record(outcome: Outcome): Promise<void> {
    const accepted = outcome.type === COMMAND_ACCEPTED;
    const { payload } = outcome;
    const error = accepted
      ? null
      : {
          status: outcome.payload.status,
          code: outcome.payload.code,
          message: outcome.payload.message,
          fields: outcome.payload.fields ?? [],
        };
    await this.tx.run(async (em) => {
      const rows: unknown[] = await em.query(
        `INSERT INTO ${this.model.tables.commandOutcomes}
           (command_id, application, command_type, status, aggregate_type, aggregate_id, aggregate_version, created, result, error)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10::jsonb)
         ON CONFLICT (command_id) DO NOTHING RETURNING 1`,
        [
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
        ],
      );
      if (rows.length === 1) await this.store.signal(em, payload.commandId);
    });
  }
}

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
