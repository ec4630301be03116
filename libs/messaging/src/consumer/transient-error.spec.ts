import { isTransientError } from './transient-error';

/** An error shaped like the ones node-postgres and node's sockets throw: a message and a string code. */
function withCode(code: string, message = `failed with ${code}`): Error {
  return Object.assign(new Error(message), { code });
}

describe('isTransientError', () => {
  it.each([
    ['a refused connection (ECONNREFUSED)', withCode('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432')],
    ['a reset connection (ECONNRESET)', withCode('ECONNRESET')],
    ['a PostgreSQL restart (57P01 admin_shutdown)', withCode('57P01', 'terminating connection due to administrator command')],
    ['a PostgreSQL connection failure (08006)', withCode('08006')],
    ['a serialization failure (40001)', withCode('40001', 'could not serialize access due to concurrent update')],
    ['a deadlock (40P01)', withCode('40P01', 'deadlock detected')],
    ['a lock timeout (55P03)', withCode('55P03')],
    ['too many connections (53300)', withCode('53300')],
  ])('%s is transient: retried without limit', (_case, error) => {
    expect(isTransientError(error)).toBe(true);
  });

  it.each([
    ['KafkaJSConnectionError'],
    ['KafkaJSRequestTimeoutError'],
    ['KafkaJSNumberOfRetriesExceeded'],
  ])('a kafkajs %s is transient', (name) => {
    const error = Object.assign(new Error('broker unavailable'), { name });
    expect(isTransientError(error)).toBe(true);
  });

  it('a dropped pg connection known only by its message is transient', () => {
    expect(isTransientError(new Error('Connection terminated unexpectedly'))).toBe(true);
  });

  it.each([
    ['a TypeError', new TypeError("Cannot read properties of undefined (reading 'userName')")],
    ['a pg unique violation (23505)', withCode('23505', 'duplicate key value violates unique constraint "users_pkey"')],
    ['a pg check violation (23514)', withCode('23514')],
    ["a plain Error('boom')", new Error('boom')],
    ['a kafkajs non-retriable error', Object.assign(new Error('bad'), { name: 'KafkaJSNonRetriableError' })],
  ])('%s is not transient: it counts against the message', (_case, error) => {
    expect(isTransientError(error)).toBe(false);
  });

  it.each([
    ['undefined', undefined],
    ['null', null],
    ['a string', 'ECONNREFUSED'],
    ['a number code', { code: 57 }],
  ])('a thrown %s is not transient and does not break the check', (_case, thrown) => {
    expect(isTransientError(thrown)).toBe(false);
  });
});
