import { COMMAND_PROGRESS_CHANNEL, UPDATE_USER, VisibleOutcomeNotice, progressPayload } from '@omni/contracts';
import { OutcomeReads } from '@omni/read-model';
import { strictFake } from '@omni/testing';
import { PgListener } from '../database/pg-listener';
import { OutcomeWaiter } from './outcome-waiter';

/** The waiter answers from a notification that carries the outcome, and reads the table otherwise. */
describe('OutcomeWaiter', () => {
  function setup() {
    const queries: unknown[][] = [];
    let notify!: (payload: string) => void;
    const listener = strictFake<PgListener>('PgListener', {
      subscribe: (channel: string, listener: (payload: string) => void) => {
        expect(channel).toBe(COMMAND_PROGRESS_CHANNEL);
        notify = listener;
      },
      onReconnect: () => undefined,
    });
    const outcomes = strictFake<OutcomeReads>('OutcomeReads', {
      find: async (...parameters: unknown[]) => {
        queries.push(parameters);
        return { status: 'accepted', commandType: UPDATE_USER, created: false, result: null, error: null, visible: true };
      },
    });
    return { waiter: new OutcomeWaiter(outcomes, listener), queries, notify: (payload: string) => notify(payload) };
  }

  const notice = (commandId: string, correlationId: string): VisibleOutcomeNotice => ({
    correlationId,
    commandId,
    status: 'accepted',
    commandType: UPDATE_USER,
    created: true,
    result: { userID: 'u1' },
    error: null,
  });

  it('a notification carrying the command’s visible outcome answers the wait without a query', async () => {
    const { waiter, queries, notify } = setup();
    const expected = waiter.expect('c-1', 'corr-1', 5_000);
    const waiting = waiter.wait('c-1', 'app', 5_000, expected, 'corr-1');
    notify(progressPayload(notice('c-1', 'corr-1')));
    await expect(waiting).resolves.toEqual({ status: 'accepted', commandType: UPDATE_USER, created: true, result: { userID: 'u1' }, error: null, visible: true });
    expect(queries).toEqual([]);
  });

  it('another command’s outcome under the same correlation id, or the id alone, makes the wait read the table', async () => {
    for (const payload of [progressPayload(notice('c-2', 'corr-1')), 'corr-1']) {
      const { waiter, queries, notify } = setup();
      const expected = waiter.expect('c-1', 'corr-1', 5_000);
      const waiting = waiter.wait('c-1', 'app', 5_000, expected, 'corr-1');
      notify(payload);
      await expect(waiting).resolves.toMatchObject({ status: 'accepted', created: false, visible: true });
      expect(queries).toEqual([['c-1', 'app']]);
    }
  });
});
