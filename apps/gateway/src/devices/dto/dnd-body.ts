import { DND_TIME_PATTERN, DeviceDnd, FieldError } from '@omni/contracts';
import { ApiError } from '../../errors/api-error';

/**
 * The Do Not Disturb period of a PUT /device/{deviceID}/dnd body, `{"start": "23:00", "end":
 * "07:00"}` (SDK API): both times `HH:mm`, 24-hour. Other keys are ignored. Problems are named
 * `dnd.start` and `dnd.end`, as the device property they set.
 */
export function dndFromBody(body: unknown): DeviceDnd {
  const given = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
  const fields: FieldError[] = [];
  for (const key of ['start', 'end'] as const) {
    const value = given[key];
    if (typeof value !== 'string' || !DND_TIME_PATTERN.test(value)) {
      fields.push({ field: `dnd.${key}`, message: `dnd.${key} must be a time "HH:mm" (00:00 to 23:59)` });
    }
  }
  if (fields.length > 0) throw new ApiError(400, 'VALIDATION_FAILED', `invalid request: ${fields.map((f) => f.field).join(', ')}`, fields);
  return { start: given.start as string, end: given.end as string };
}
