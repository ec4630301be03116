/**
 * An error with PostgreSQL's SQLSTATE for a serialization failure (40001): the work met a
 * concurrent change and must run again. Consumers retry it without counting an attempt
 * (isTransientError), as they do the database's own.
 */
export function serializationFailure(message: string): Error {
  return Object.assign(new Error(message), { code: '40001' });
}
