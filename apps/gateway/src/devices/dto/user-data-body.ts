import { FieldError, USER_DATA_KEYS_MAX, UserDataMap, userDataMapProblem } from '@omni/contracts';
import { ApiError } from '../../errors/api-error';

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The user data of a PUT /device/{deviceID}/userdata(/override) body, in either form:
 * - wrapped, as the push API documents it: `{"userData": {"firstName": "John"}}`;
 * - flat, as the SDK API documents it and the omnichannel article sends it:
 *   `{"firstName": "John", "lastName": "Doe"}`.
 * A body whose `userData` is an object is the wrapped form (a user data value is never an object);
 * anything else is the flat form. Values are strings, numbers, booleans, or null to clear a field.
 * Whether the keys are fields of the application, and of what type, is the owning service's check.
 * Problems are named `userData.<key>` in both forms (as the services name them).
 */
export function userDataFromBody(body: unknown): UserDataMap {
  if (!isPlainObject(body)) throw invalid([{ field: 'userData', message: 'userData must be an object of field keys to values' }]);
  const userData = isPlainObject(body.userData) ? body.userData : body;
  const entries = Object.entries(userData);
  if (entries.length > USER_DATA_KEYS_MAX) {
    throw invalid([{ field: 'userData', message: `userData must have at most ${USER_DATA_KEYS_MAX} keys` }]);
  }
  const fields: FieldError[] = [];
  for (const [key, value] of entries) {
    const problem = userDataMapProblem({ [key]: value }, true);
    if (problem) fields.push({ field: `userData.${key.slice(0, 80)}`, message: `userData ${problem}` });
  }
  if (fields.length > 0) throw invalid(fields);
  return Object.fromEntries(entries) as UserDataMap;
}

function invalid(fields: FieldError[]): ApiError {
  return new ApiError(400, 'VALIDATION_FAILED', `invalid request: ${[...new Set(fields.map((f) => f.field))].join(', ')}`, fields);
}
