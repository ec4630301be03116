import { ArgumentMetadata } from '@nestjs/common';
import { ApiError, ErrorBody } from './api-error';
import { apiValidationPipe } from './validation';

/** For the gateway's unit tests: what the API's validation pipe makes of a value. */
const pipe = apiValidationPipe();

/** The value as a route handler gets it (transformed), or the pipe's error. */
export async function validated<T>(metatype: new () => T, value: unknown, type: ArgumentMetadata['type'] = 'body'): Promise<T> {
  return (await pipe.transform(value, { type, metatype })) as T;
}

/** The 400 a value gets, and the fields it names (each once, sorted); throws when the value is valid. */
export async function validationError(
  metatype: new () => unknown,
  value: unknown,
  type: ArgumentMetadata['type'] = 'body',
): Promise<{ body: ErrorBody; fields: string[] }> {
  try {
    await pipe.transform(value, { type, metatype });
  } catch (error) {
    const body = (error as ApiError).getResponse() as ErrorBody;
    if (body.status !== 400 || body.code !== 'VALIDATION_FAILED') throw new Error(`not a validation failure: ${JSON.stringify(body)}`);
    return { body, fields: [...new Set((body.fields ?? []).map((field) => field.field))].sort() };
  }
  throw new Error('valid');
}

/** The fields a 400 names (each once, sorted); throws when the value is valid. */
export async function invalidFields(metatype: new () => unknown, value: unknown, type: ArgumentMetadata['type'] = 'body'): Promise<string[]> {
  return (await validationError(metatype, value, type)).fields;
}
