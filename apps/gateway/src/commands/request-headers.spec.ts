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
