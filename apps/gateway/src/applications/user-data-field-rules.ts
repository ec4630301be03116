import { UserDataFieldDefinition } from '@omni/contracts';
import { ApiError } from '../errors/api-error';
import { RESERVED_KEYS } from '../errors/validation';

/** Rules across fields that class-validator cannot express on one field: unique keys, values only for enums. */
export function checkFieldDefinitions(fields: UserDataFieldDefinition[]): UserDataFieldDefinition[] {
  const seen = new Set<string>();
  return fields.map((field, index) => {
    if (seen.has(field.key)) {
      throw new ApiError(400, 'VALIDATION_FAILED', `duplicate user data field "${field.key}"`, [
        { field: `userDataFields.${index}.key`, message: 'must be unique' },
      ]);
    }
    seen.add(field.key);
    return normalise(field, `userDataFields.${index}`);
  });
}

/** A definition as stored: `values` only for enums, `required` always present. */
export function normalise(field: UserDataFieldDefinition, path = ''): UserDataFieldDefinition {
  const prefix = path ? `${path}.` : '';
  if (RESERVED_KEYS.has(field.key)) {
    // A body can never carry it as a user data key (see RESERVED_KEYS): it could not be written.
    throw new ApiError(400, 'VALIDATION_FAILED', `"${field.key}" is a reserved name`, [{ field: `${prefix}key`, message: 'is a reserved name' }]);
  }
  if (field.type !== 'enum' && field.values !== undefined) {
    throw new ApiError(400, 'VALIDATION_FAILED', 'values are only allowed on enum fields', [
      { field: `${prefix}values`, message: 'only allowed when type is enum' },
    ]);
  }
  return {
    key: field.key,
    label: field.label,
    type: field.type,
    ...(field.type === 'enum' ? { values: field.values } : {}),
    required: field.required ?? false,
  };
}
