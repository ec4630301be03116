import { PipeTransform } from '@nestjs/common';
import { TAG_MAX_LENGTH } from '@omni/contracts';
import { ApiError } from '../errors/api-error';
import { CONTROL_CHARACTERS } from './device-id.pipe';

/** A decimal number as a path writes it: `52.37`, `-4.9`, `.5`, `1e3` (no hex, no `Infinity`, no blanks). */
const DECIMAL = /^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/;

function invalid(field: string, message: string): ApiError {
  return new ApiError(400, 'VALIDATION_FAILED', `invalid ${field}`, [{ field, message: `${field} ${message}` }]);
}

/**
 * These pipes check the text of a path parameter and hand it on as text: a handler parameter
 * typed `number` would be converted first by the global ValidationPipe (`+value`: `0x10` → 16,
 * `' 4'` → 4, `''` → 0), before any check could see what was sent. The handler converts the
 * checked text with Number().
 */
function decimal(value: unknown): number | undefined {
  if (typeof value !== 'string' || !DECIMAL.test(value)) return undefined;
  const number = Number(value);
  return Number.isFinite(number) ? number : undefined;
}

/** A latitude (-90..90) or longitude (-180..180) in the path, in decimal degrees; 400 naming the parameter. */
export class CoordinatePipe implements PipeTransform<string, string> {
  constructor(
    private readonly field: string,
    private readonly axis: 'latitude' | 'longitude',
  ) {}

  transform(value: string): string {
    const bound = this.axis === 'latitude' ? 90 : 180;
    const number = decimal(value);
    if (number === undefined || Math.abs(number) > bound) throw invalid(this.field, `must be a ${this.axis}: a number from -${bound} to ${bound}`);
    return value;
  }
}

/** Largest search radius: half the Earth's circumference (every place is within it). */
export const DISTANCE_MAX_KM = 20_038;

/** A distance in the path, in kilometres (as the reference): above 0; 400 naming the parameter. */
export class DistancePipe implements PipeTransform<string, string> {
  transform(value: string): string {
    const number = decimal(value);
    if (number === undefined || number <= 0 || number > DISTANCE_MAX_KM) {
      throw invalid('distance', `must be a number of kilometres above 0 and at most ${DISTANCE_MAX_KM}`);
    }
    return value;
  }
}

/** An identifier or search string in the path: 1 to `maxLength` characters, no control characters. */
export class PathTextPipe implements PipeTransform<string, string> {
  constructor(
    private readonly field: string,
    private readonly maxLength: number,
  ) {}

  transform(value: string): string {
    if (typeof value !== 'string' || value.length === 0 || value.length > this.maxLength || CONTROL_CHARACTERS.test(value)) {
      throw invalid(this.field, `must be 1 to ${this.maxLength} characters without control characters`);
    }
    return value;
  }
}

/** A tag in the path (as tags are: at most 64 characters). */
export const tagParam = (field = 'tag') => new PathTextPipe(field, TAG_MAX_LENGTH);
