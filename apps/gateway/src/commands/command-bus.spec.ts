import { DataSource } from 'typeorm';
import { Envelope, Topics, UPDATE_USER } from '@omni/contracts';
import { MessagePublisher } from '@omni/messaging';
import { Logger, MetricsRegistry } from '@omni/observability';
import { OutcomeView } from '@omni/read-model';
import { strictFake } from '@omni/testing';
import { ApplicationCache } from '../auth/application-cache';
import { CORRELATION_HEADER, CommandBus, CommandRequest } from './command-bus';
import { CommandRecords } from './command-records';
import { OutcomeWaiter } from './outcome-waiter';

const visible: OutcomeView = { status: 'accepted', commandType: UPDATE_USER, created: false, result: null, error: null, visible: true };

/**
 * A bus whose database only records statements (the insert of a command answers "inserted"), with
 * the records it published and the ids its waits listened under.
 */
function busWith(outcome: OutcomeView | undefined) {
  const statements: string[] = [];
  const published: { value: string }[] = [];
  const waitedUnder: string[] = [];
  const dataSource = strictFake<DataSource>('DataSource', {
    query: async (sql: string, parameters: unknown[] = []) => {
      statements.push(sql.trim().split(/\s+/).slice(0, 3).join(' '));
      // An insert that records the command (no conflict): it returns the command's id.
      return sql.includes('INSERT') ? [{ command_id: parameters[0] }] : [];
    },
  });
  const publisher = strictFake<MessagePublisher>('MessagePublisher', { publish: async (records: { value: string }[]) => void published.push(...records) });
  const outcomes = strictFake<OutcomeWaiter>('OutcomeWaiter', {
    expect: (_commandId: string, correlationId: string) => {
      waitedUnder.push(correlationId);
      return { promise: Promise.resolve(undefined), cancel: () => undefined };
    },
    wait: async () => outcome,
  });
  const metrics = strictFake<MetricsRegistry>('MetricsRegistry', { commandsSent: { inc: () => undefined }, outcomeWait: { observe: () => undefined } });
  const logger = strictFake<Logger>('Logger', { debug: () => undefined });
  const applications = strictFake<ApplicationCache>('ApplicationCache', { get: async () => ({ version: 1 }) });
  const bus = new CommandBus(dataSource, publisher, outcomes, 1_000, metrics, logger, applications, new CommandRecords(dataSource));
  const command = () => JSON.parse(published[0].value) as Envelope;
  return { bus, statements, published, command, waitedUnder };
}

const request = (changes: Partial<CommandRequest<typeof UPDATE_USER>> = {}): CommandRequest<typeof UPDATE_USER> => ({
  application: 'app-1',
  topic: Topics.profileCommands,
  type: UPDATE_USER,
  aggregateId: 'user-1',
  payload: { userName: 'Ada' },
  respondAsync: false,
  ...changes,
});

const present = () => ({ status: 200, body: { message: 'ok' } });

/** Which writes the gateway records in gateway.commands: those that may be asked about again. */
describe('CommandBus records a command only when someone may ask for it again', () => {
  it('a write answered with its visible effect is published and not recorded (no commit of its own)', async () => {
    const { bus, statements, published } = busWith(visible);
    expect((await bus.execute(request(), present)).status).toBe(200);
    expect(published).toHaveLength(1);
    expect(statements).toEqual([]);
  });

  it('Prefer: respond-async records it before publishing: GET /command finds it at once', async () => {
    const { bus, statements, published } = busWith(undefined);
    expect((await bus.execute(request({ respondAsync: true }), present)).status).toBe(202);
    expect(published).toHaveLength(1);
    expect(statements).toEqual(['INSERT INTO gateway.commands']);
  });

  it('a wait that times out records it, then answers 202 pointing at GET /command', async () => {
    const { bus, statements } = busWith(undefined);
    const answer = await bus.execute(request(), present);
    expect(answer.status).toBe(202);
    expect(answer.headers?.location).toMatch(/^\/command\//);
    expect(statements).toEqual(['INSERT INTO gateway.commands']);
  });

  it('an Idempotency-Key records it before publishing, and stores the answer', async () => {
    const { bus, statements } = busWith(visible);
    expect((await bus.execute(request({ idempotencyKey: 'k-1' }), present)).status).toBe(200);
    expect(statements).toEqual(['INSERT INTO gateway.commands', 'UPDATE gateway.commands SET']);
  });
});

describe('CommandBus carries the correlation id from the request into the command and the answer', () => {
  it("without the client's id, the command id is the correlation id, echoed in X-Correlation-Id", async () => {
    const { bus, command, waitedUnder } = busWith(visible);
    const answer = await bus.execute(request(), present);
    expect(command().correlationId).toBe(command().id);
    expect(answer.headers?.[CORRELATION_HEADER]).toBe(command().id);
    expect(waitedUnder).toEqual([command().id]);
  });

  it("with the client's id, the command carries it (every service logs it), the answer echoes it and the wait listens under it", async () => {
    const { bus, command, waitedUnder } = busWith(visible);
    const answer = await bus.execute(request({ correlationId: 'trace-42' }), present);
    expect(command().correlationId).toBe('trace-42');
    expect(command().id).not.toBe('trace-42');
    expect(answer.headers?.[CORRELATION_HEADER]).toBe('trace-42');
    expect(waitedUnder).toEqual(['trace-42']);
  });

  it("a 202 answer echoes the client's id and points at the command by its own id", async () => {
    const { bus, command } = busWith(undefined);
    const answer = await bus.execute(request({ correlationId: 'trace-43', respondAsync: true }), present);
    expect(answer.status).toBe(202);
    expect(answer.headers).toMatchObject({ [CORRELATION_HEADER]: 'trace-43', location: `/command/${command().id}` });
  });
});
