import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CommandMap, CommandType, Envelope, newEnvelope } from '@omni/contracts';
import { MessagePublisher, recordFor } from '@omni/messaging';
import { LOGGER, Logger, MetricsRegistry } from '@omni/observability';
import { OutcomeView } from '@omni/read-model';
import { ApplicationCache } from '../auth/application-cache';
import { ApiError, ErrorBody } from '../errors/api-error';
import { CommandRecords } from './command-records';
import { OutcomeWaiter } from './outcome-waiter';

export const COMMAND_TIMEOUT_MS = Symbol('COMMAND_TIMEOUT_MS');

export interface CommandRequest<T extends CommandType> {
  application: string;
  topic: string;
  type: T;
  aggregateId: string;
  payload: CommandMap[T];
  /** Client's `Idempotency-Key` header. */
  idempotencyKey?: string;
  /** Client sent `Prefer: respond-async`. */
  respondAsync: boolean;
  /** Client's `X-Correlation-Id` (a sane token); without it the command id is the correlation id. */
  correlationId?: string;
}

export interface HttpAnswer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** How a route turns an accepted, visible outcome into its documented answer. */
export type Presenter = (outcome: OutcomeView) => HttpAnswer;

interface StoredCommand {
  command_id: string;
  request_hash: string;
  envelope: Envelope | null;
  response_status: number | null;
  response_body: unknown;
}

/**
 * Sends a write as a command and answers once its effect is visible (read-your-writes), or at
 * once with 202 when asked (`Prefer: respond-async`) or when the wait times out.
 *
 * Idempotency: a command sent with an `Idempotency-Key` is recorded before it is published. A
 * retry with the same key gets the stored answer; if there is none yet, the same command (same id)
 * is published again — the service's inbox drops the duplicate — and awaited. The same key with a
 * different request is refused (422).
 *
 * A command answered 202 is recorded too (`GET /command/{id}`, where the answer points, reports it
 * pending until its outcome): before publishing with `Prefer: respond-async`, after the wait with a
 * timeout. A write answered with its effect is not recorded: nothing would read the record, and its
 * insert would cost the write a commit of its own. Concurrent records share one insert (CommandRecords).
 */
@Injectable()
export class CommandBus {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(MessagePublisher) private readonly publisher: MessagePublisher,
    @Inject(OutcomeWaiter) private readonly outcomes: OutcomeWaiter,
    @Inject(COMMAND_TIMEOUT_MS) private readonly timeoutMs: number,
    @Inject(MetricsRegistry) private readonly metrics: MetricsRegistry,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(ApplicationCache) private readonly applications: ApplicationCache,
    @Inject(CommandRecords) private readonly records: CommandRecords,
  ) {}

  async execute<T extends CommandType>(request: CommandRequest<T>, present: Presenter): Promise<HttpAnswer> {
    // Hashed only for a write that is recorded: one that may be asked for again.
    let requestHash: string | undefined;
    const hash = () => (requestHash ??= hashRequest(request));
    // The settings this command is accepted under: services apply it only once they have them.
    const settingsVersion = (await this.applications.get(request.application))?.version;
    let envelope = newEnvelope({
      type: request.type,
      application: request.application,
      aggregateId: request.aggregateId,
      aggregateVersion: null,
      payload: request.payload,
      requiresSettingsVersion: settingsVersion,
      correlationId: request.correlationId,
    });
    const stored =
      request.idempotencyKey !== undefined || request.respondAsync ? await this.record(request, envelope, hash()) : undefined;
    if (stored) {
      if (stored.request_hash !== hash()) {
        throw new ApiError(422, 'IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was used with a different request');
      }
      if (stored.response_status !== null) {
        return { status: stored.response_status, body: stored.response_body, headers: { 'idempotent-replayed': 'true' } };
      }
      if (stored.envelope) envelope = stored.envelope as typeof envelope;
    }
    // A new command's outcome cannot exist before it is sent: listen first, read once notified.
    // The projection notifies under the correlation id (the command id unless the client named one).
    const expected = request.respondAsync || stored ? undefined : this.outcomes.expect(envelope.id, envelope.correlationId, this.timeoutMs);
    try {
      await this.publisher.publish([recordFor(request.topic, envelope)]);
    } catch (error) {
      expected?.cancel();
      throw error;
    }
    this.metrics.commandsSent.inc({ type: request.type });
    this.logger.debug({ correlationId: envelope.correlationId, commandId: envelope.id, type: request.type }, 'command sent');
    if (request.respondAsync) return pending(envelope);
    const waitStarted = process.hrtime.bigint();
    const outcome = await this.outcomes.wait(envelope.id, request.application, this.timeoutMs, expected, envelope.correlationId);
    this.metrics.outcomeWait.observe({ result: outcome ? 'visible' : 'timeout' }, Number(process.hrtime.bigint() - waitStarted) / 1e9);
    if (!outcome) {
      if (request.idempotencyKey === undefined) await this.record(request, envelope, hash());
      return pending(envelope);
    }
    const answer = withCorrelation(answerFor(outcome, present), envelope.correlationId);
    if (request.idempotencyKey) {
      await this.dataSource.query(
        // The envelope was kept to publish again on a retry; answered, it is not needed (and holds personal data).
        `UPDATE gateway.commands SET response_status = $2, response_body = $3::jsonb, envelope = NULL WHERE command_id = $1`,
        [envelope.id, answer.status, JSON.stringify(answer.body ?? null)],
      );
    }
    return answer;
  }

  /**
   * Insert the command (with an Idempotency-Key, its envelope too, to publish it again); with the
   * key already used, return the earlier one instead.
   */
  private async record(request: CommandRequest<CommandType>, envelope: Envelope, requestHash: string): Promise<StoredCommand | undefined> {
    const { idempotencyKey } = request;
    const inserted = await this.records.insert({
      commandId: envelope.id,
      application: request.application,
      commandType: request.type,
      topic: request.topic,
      envelope: idempotencyKey ? JSON.stringify(envelope) : null,
      idempotencyKey: idempotencyKey ?? null,
      requestHash,
    });
    if (inserted) return undefined;
    const rows: StoredCommand[] = await this.dataSource.query(
      `SELECT command_id, request_hash, envelope, response_status, response_body
         FROM gateway.commands WHERE application = $1 AND idempotency_key = $2`,
      [request.application, idempotencyKey],
    );
    return rows[0];
  }
}

function hashRequest(request: CommandRequest<CommandType>): string {
  return createHash('sha256')
    .update(JSON.stringify([request.type, request.topic, request.aggregateId, request.payload]))
    .digest('hex');
}

function pending(command: Envelope): HttpAnswer {
  return {
    status: 202,
    body: { message: 'command accepted for processing', commandId: command.id, status: 'pending' },
    headers: { location: `/command/${command.id}`, [CORRELATION_HEADER]: command.correlationId },
  };
}

/**
 * The header naming the correlation id that every service logs for this write: the client's own
 * (a sane `X-Correlation-Id` it sent), else the command id.
 */
export const CORRELATION_HEADER = 'x-correlation-id';

function withCorrelation(answer: HttpAnswer, correlationId: string): HttpAnswer {
  return { ...answer, headers: { ...answer.headers, [CORRELATION_HEADER]: correlationId } };
}

export function answerFor(outcome: OutcomeView, present: Presenter): HttpAnswer {
  if (outcome.status === 'rejected' && outcome.error) {
    const body: ErrorBody = { status: outcome.error.status, code: outcome.error.code, message: outcome.error.message };
    if (outcome.error.fields.length > 0) body.fields = outcome.error.fields;
    return { status: outcome.error.status, body };
  }
  return present(outcome);
}
