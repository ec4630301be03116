import { FieldError, USER_DATA_TEXT_MAX_LENGTH, UserDataFieldDefinition, UserDataMap } from '@omni/contracts';

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,9})?)?(Z|[+-]([01]\d|2[0-3]):?[0-5]\d)$/;

/** An ISO 8601 calendar date (`1997-03-10`) or full timestamp (`1997-03-10T08:30:00Z`) that exists. */
export function isIsoDate(value: string): boolean {
  const match = DATE.exec(value) ?? TIMESTAMP.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** Why one value does not fit its field, or undefined when it does. */
function problem(field: UserDataFieldDefinition, value: Exclude<UserDataMap[string], null>): string | undefined {
  switch (field.type) {
    case 'text':
      if (typeof value !== 'string') return 'must be a string';
      return value.length > USER_DATA_TEXT_MAX_LENGTH ? `must be at most ${USER_DATA_TEXT_MAX_LENGTH} characters` : undefined;
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? undefined : 'must be a number';
    case 'date':
      return typeof value === 'string' && isIsoDate(value) ? undefined : 'must be an ISO 8601 date (YYYY-MM-DD) or timestamp';
    case 'boolean':
      return typeof value === 'boolean' ? undefined : 'must be a boolean';
    case 'enum':
      return typeof value === 'string' && (field.values ?? []).includes(value)
        ? undefined
        : `must be one of: ${(field.values ?? []).join(', ')}`;
  }
}

/**
 * Check user data against the application's field definitions: every key must be a defined
 * field, every value of its field's type; null (clear) fits any field. One error per bad key,
 * named `userData.<key>`.
 */
export function userDataProblems(fields: readonly UserDataFieldDefinition[], userData: UserDataMap): FieldError[] {
  const byKey = new Map(fields.map((field) => [field.key, field]));
  const errors: FieldError[] = [];
  for (const [key, value] of Object.entries(userData)) {
    const name = `userData.${key}`;
    const field = byKey.get(key);
    if (!field) {
      errors.push({ field: name, message: `${name} is not a user data field of the application` });
      continue;
    }
    if (value === null) continue;
    const reason = problem(field, value);
    if (reason) errors.push({ field: name, message: `${name} ${reason}` });
  }
  return errors;
}
