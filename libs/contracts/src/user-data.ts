import 'reflect-metadata';
import { ValidateBy, ValidationOptions } from 'class-validator';
import { USER_DATA_FIELD_KEY } from './events/application/application-settings';

/**
 * User data on the wire, shared by every channel (devices, email, SMS) and by users: keys are the
 * application's user data field keys, values plain scalars. Which keys and types an application
 * accepts is its settings' business (`userDataProblems` in libs/app-settings); this is the shape.
 */

/** Longest text user data value. */
export const USER_DATA_TEXT_MAX_LENGTH = 1024;
/** Most user data keys in one message (as many as an application may define fields). */
export const USER_DATA_KEYS_MAX = 200;

/** Who sent a command, as the gateway authenticated it: SDK (application secret) or backend (master secret). */
export const COMMAND_CREDENTIALS = ['sdk', 'master'] as const;
export type CommandCredential = (typeof COMMAND_CREDENTIALS)[number];

/** A user data value on the wire: null (in an override) clears the field. */
export type UserDataValue = string | number | boolean | null;
export type UserDataMap = Record<string, UserDataValue>;

/** Why a user data map breaks the contract (or undefined when it does not). */
export function userDataMapProblem(value: unknown, allowNull: boolean): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'must be an object of field keys to values';
  const entries = Object.entries(value);
  if (entries.length > USER_DATA_KEYS_MAX) return `must have at most ${USER_DATA_KEYS_MAX} keys`;
  for (const [key, item] of entries) {
    if (!USER_DATA_FIELD_KEY.test(key)) return `key "${key.slice(0, 80)}" must start with a letter and hold letters, digits or _ (1-64)`;
    if (item === null) {
      if (!allowNull) return `value of "${key}" must not be null`;
      continue;
    }
    if (typeof item === 'string') {
      if (item.length > USER_DATA_TEXT_MAX_LENGTH) return `value of "${key}" must be at most ${USER_DATA_TEXT_MAX_LENGTH} characters`;
      continue;
    }
    if (typeof item === 'number') {
      if (!Number.isFinite(item)) return `value of "${key}" must be a finite number`;
      continue;
    }
    if (typeof item === 'boolean') continue;
    return `value of "${key}" must be a string, a number, a boolean${allowNull ? ' or null' : ''}`;
  }
  return undefined;
}

/** A map of user data field keys to string, number or boolean values (and null when `allowNull`). */
export function IsUserDataMap(allowNull: boolean, options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isUserDataMap',
      validator: {
        validate: (value: unknown) => userDataMapProblem(value, allowNull) === undefined,
        defaultMessage: (args) => `${args?.property ?? 'userData'} ${userDataMapProblem(args?.value, allowNull) ?? 'is invalid'}`,
      },
    },
    options,
  );
}

/** User data as stored on a user, device or contact: never a null (a cleared field is absent). */
export type StoredUserData = Record<string, string | number | boolean>;

/**
 * The override semantics every channel and the user share: the given fields replace their values,
 * a field given as null is cleared, the fields not given stay.
 */
export function overrideUserData(current: StoredUserData, changes: UserDataMap): StoredUserData {
  const next: StoredUserData = { ...current };
  for (const [key, value] of Object.entries(changes)) {
    if (value === null) delete next[key];
    else next[key] = value;
  }
  return next;
}

/** Whether two stored user data maps hold the same fields and values. */
export function sameUserData(a: StoredUserData, b: StoredUserData): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => Object.prototype.hasOwnProperty.call(b, key) && a[key] === b[key]);
}
