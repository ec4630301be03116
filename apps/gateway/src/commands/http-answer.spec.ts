import { prefersAsync } from './http-answer';

describe('prefersAsync', () => {
  it.each([
    ['respond-async'],
    ['wait=5, respond-async'],
    ['respond-async, wait=5'],
    ['Respond-Async'],
    ['RESPOND-ASYNC'],
    ['  respond-async  '],
    ['return=minimal,respond-async'],
  ])('Prefer: %j asks for an asynchronous answer', (prefer) => {
    expect(prefersAsync(prefer)).toBe(true);
  });

  it.each([
    ['an absent header', undefined],
    ['an empty header', ''],
    ['return=minimal', 'return=minimal'],
    ['wait=5', 'wait=5'],
    ['a preference that only contains the word', 'respond-asynchronously'],
    ['the word as a parameter value', 'x=respond-async'],
  ])('%s does not ask for an asynchronous answer', (_case, prefer) => {
    expect(prefersAsync(prefer)).toBe(false);
  });
});
