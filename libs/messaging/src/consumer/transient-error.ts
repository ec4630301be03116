/**
 * Whether an error is about infrastructure (database or broker unreachable, lock conflicts) and
 * will likely pass: such a message is retried without limit — sending it to the dead-letter
 * topic would lose good data during an outage. Anything else is counted against the message.
 */
export function isTransientError(error: unknown): boolean {
  // An error may say so itself (e.g. a command waiting for settings that are on their way).
  if ((error as { transient?: unknown } | null)?.transient === true) return true;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string') {
    if (['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN'].includes(code)) return true;
    // PostgreSQL: connection exceptions (08), serialization/deadlock (40001, 40P01),
    // insufficient resources (53), operator intervention such as a restart (57), lock timeout.
    if (/^(08|53|57)/.test(code) || code === '40001' || code === '40P01' || code === '55P03') return true;
  }
  const name = (error as { name?: unknown } | null)?.name;
  if (typeof name === 'string' && /^Kafka(JS)?(Connection|RequestTimeout|NumberOfRetriesExceeded|Protocol)/.test(name)) {
    return true;
  }
  const message = error instanceof Error ? error.message : '';
  return /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(
    message,
  );
}
