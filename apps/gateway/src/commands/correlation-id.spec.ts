import { DataSource } from 'typeorm';
import { Envelope, Topics, UPDATE_USER } from '@omni/contracts';
import { MessagePublisher } from '@omni/messaging';
import { Logger, MetricsRegistry } from '@omni/observability';
import { strictFake } from '@omni/testing';
import { ApplicationCache } from '../auth/application-cache';
import { CORRELATION_HEADER, CommandBus, CommandRequest } from './command-bus';
import { OutcomeView, OutcomeWaiter } from './outcome-waiter';
import { clientCorrelationId } from './request-headers';

describe('clientCorrelationId: a client names the correlation id of its write only with a sane token', () => {
  it.each(['a', 'trace-1', 'req.42:retry_1', 'A'.repeat(64), '6f1c9e0a-4d2b-4c1e-9f57-0b8e5d6a7c31'])('%j is used as is', (header) => {
    expect(clientCorrelationId(header)).toBe(header);
  });

  it.each([
    ['an absent header', undefined],
    ['an empty one', ''],
    ['65 characters', 'A'.repeat(65)],
    ['a space', 'trace 1'],
    ['a line break (log injection)', 'trace\n{"level":"fatal"}'],
    ['an e-mail address', 'ada@example.org'],
    ['non-ASCII', 'trace-é'],
    ['a repeated header', ['trace-1', 'trace-2']],
  ])('%s is ignored (the gateway makes one)', (_, header) => {
    expect(clientCorrelationId(header)).toBeUndefined();
  });
});

describe('CommandBus carries the correlation id from the request into the command and the answer', () => {
  const visible: OutcomeView = { status: 'accepted', commandType: UPDATE_USER, created: false, result: null, error: null, visible: true };

  function busWith(outcome: OutcomeView | undefined) {
    const published: { value: string }[] = [];
    const waitedUnder: string[] = [];
    const dataSource = strictFake<DataSource>('DataSource', { query: async (sql: string) => (sql.includes('INSERT') ? [1] : []) });
    const publisher = strictFake<MessagePublisher>('MessagePublisher', {
      publish: async (records: { value: string }[]) => void published.push(...records),
    });
    const outcomes = strictFake<OutcomeWaiter>('OutcomeWaiter', {
      expect: (correlationId: string) => {
        waitedUnder.push(correlationId);
        return { promise: Promise.resolve(), cancel: () => undefined };
      },
      wait: async () => outcome,
    });
    const metrics = strictFake<MetricsRegistry>('MetricsRegistry', { commandsSent: { inc: () => undefined }, outcomeWait: { observe: () => undefined } });
    const logger = strictFake<Logger>('Logger', { debug: () => undefined });
    const applications = strictFake<ApplicationCache>('ApplicationCache', { get: async () => ({ version: 1 }) });
    const bus = new CommandBus(dataSource, publisher, outcomes, 1_000, metrics, logger, applications);
    const command = () => JSON.parse(published[0].value) as Envelope;
    return { bus, command, waitedUnder };
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
