import { ValidationError } from 'class-validator';
import { UPDATE_USER } from './commands/user/update-user.command';
import { UndecodableMessage, decodeMessage, flattenValidationErrors } from './decode';
import { Envelope, newEnvelope } from './envelope';

function validUpdateUser(payload: unknown = { userName: 'Ada Lovelace' }): Envelope {
  return newEnvelope({
    type: UPDATE_USER,
    application: 'app-key-1',
    aggregateId: 'user-42',
    aggregateVersion: null,
    payload,
  });
}

function wire(message: unknown): string {
  return JSON.stringify(message);
}

/** Runs the decoder and returns what it threw; fails the test when it does not throw an UndecodableMessage. */
function undecodable(raw: Buffer | string | null): UndecodableMessage {
  let thrown: unknown;
  try {
    decodeMessage(raw);
  } catch (error) {
    thrown = error;
  }
  if (!(thrown instanceof UndecodableMessage)) {
    throw new Error(`expected an UndecodableMessage, got ${thrown === undefined ? 'a decoded message' : String(thrown)}`);
  }
  return thrown;
}

describe('decodeMessage', () => {
  it('a valid user.update envelope decodes to the same message, from a string or a Buffer', () => {
    const message = validUpdateUser();

    expect(decodeMessage(wire(message))).toEqual(message);
    expect(decodeMessage(Buffer.from(wire(message), 'utf8'))).toEqual(message);
  });

  it('a user.update with a null or absent userName decodes (the name is optional)', () => {
    expect(decodeMessage(wire(validUpdateUser({ userName: null }))).payload).toEqual({ userName: null });
    expect(decodeMessage(wire(validUpdateUser({}))).payload).toEqual({});
  });

  it('a userName of exactly 256 characters is accepted', () => {
    const message = validUpdateUser({ userName: 'x'.repeat(256) });
    expect(decodeMessage(wire(message))).toEqual(message);
  });

  it('an empty (tombstone) message value is refused as malformed JSON', () => {
    const error = undecodable(null);
    expect(error.reason).toBe('malformed-json');
    expect(error.envelope).toBeUndefined();
  });

  it('text that is not JSON is refused as malformed JSON', () => {
    const error = undecodable('{"id": "abc", ');
    expect(error.reason).toBe('malformed-json');
    expect(error.name).toBe('UndecodableMessage');
    expect(error.envelope).toBeUndefined();
  });

  it.each([
    ['an array', '[1, 2, 3]'],
    ['a number', '42'],
    ['a string', '"user.update"'],
    ['null', 'null'],
  ])('JSON that is %s rather than an object is refused as an invalid envelope', (_kind, raw) => {
    const error = undecodable(raw);
    expect(error.reason).toBe('invalid-envelope');
    expect(error.envelope).toBeUndefined();
  });

  it.each(['id', 'type', 'time', 'application', 'aggregateId', 'correlationId'])(
    'an envelope whose "%s" is missing, empty or not a string is refused as an invalid envelope naming it',
    (field) => {
      for (const broken of [undefined, '', 7, null]) {
        const message: Record<string, unknown> = { ...validUpdateUser() };
        if (broken === undefined) delete message[field];
        else message[field] = broken;

        const error = undecodable(wire(message));
        expect(error.reason).toBe('invalid-envelope');
        expect(error.message).toContain(`"${field}"`);
      }
    },
  );

  it.each([
    ['missing', undefined],
    ['a string', '1'],
    ['a fraction', 1.5],
    ['null', null],
  ])('a schemaVersion that is %s is refused as an invalid envelope', (_kind, schemaVersion) => {
    const message: Record<string, unknown> = { ...validUpdateUser(), schemaVersion };
    const error = undecodable(wire(message));
    expect(error.reason).toBe('invalid-envelope');
    expect(error.message).toContain('schemaVersion');
  });

  it.each([
    ['missing', undefined],
    ['a string', '3'],
    ['a fraction', 2.5],
  ])('an aggregateVersion that is %s is refused as an invalid envelope', (_kind, aggregateVersion) => {
    const message: Record<string, unknown> = { ...validUpdateUser(), aggregateVersion };
    const error = undecodable(wire(message));
    expect(error.reason).toBe('invalid-envelope');
    expect(error.message).toContain('aggregateVersion');
  });

  it('an integer aggregateVersion is accepted as well as null', () => {
    const message = { ...validUpdateUser(), aggregateVersion: 3 };
    expect(decodeMessage(wire(message)).aggregateVersion).toBe(3);
  });

  it('a causationId that is neither a string nor null is refused as an invalid envelope', () => {
    const message = { ...validUpdateUser(), causationId: 12 };
    const error = undecodable(wire(message));
    expect(error.reason).toBe('invalid-envelope');
    expect(error.message).toContain('causationId');
  });

  it('an unknown message type is refused as unknown-type and keeps the envelope', () => {
    const message = { ...validUpdateUser(), type: 'user.explode' };
    const error = undecodable(wire(message));
    expect(error.reason).toBe('unknown-type');
    expect(error.envelope).toEqual(message);
  });

  it('an inherited Object property name is not taken for a message type', () => {
    const error = undecodable(wire({ ...validUpdateUser(), type: 'toString' }));
    expect(error.reason).toBe('unknown-type');
  });

  it('a schema version the consumer does not know is refused as unsupported-version and keeps the envelope', () => {
    const message = { ...validUpdateUser(), schemaVersion: 2 };
    const error = undecodable(wire(message));
    expect(error.reason).toBe('unsupported-version');
    expect(error.envelope).toEqual(message);
  });

  it.each([
    ['missing', undefined],
    ['null', null],
    ['an array', [{ userName: 'Ada' }]],
    ['a string', 'Ada'],
  ])('a payload that is %s is refused as invalid-payload and keeps the envelope', (_kind, payload) => {
    const message: Record<string, unknown> = { ...validUpdateUser(), payload };
    const error = undecodable(wire(message));
    expect(error.reason).toBe('invalid-payload');
    expect(error.envelope).toBeDefined();
    expect(error.envelope?.id).toBe(message.id);
  });

  it('a userName that is a number is refused as invalid-payload naming userName, with the envelope', () => {
    const message = validUpdateUser({ userName: 5 });
    const error = undecodable(wire(message));

    expect(error.reason).toBe('invalid-payload');
    expect(error.envelope).toEqual(message);
    expect(error.fields).toBeDefined();
    expect(error.fields!.length).toBeGreaterThan(0);
    expect(error.fields!.every((f) => f.field === 'userName')).toBe(true);
    expect(error.message).toContain('userName');
  });

  it('a userName over 256 characters is refused as invalid-payload naming userName, with the envelope', () => {
    const message = validUpdateUser({ userName: 'x'.repeat(257) });
    const error = undecodable(wire(message));

    expect(error.reason).toBe('invalid-payload');
    expect(error.envelope).toEqual(message);
    expect(error.fields).toEqual([{ field: 'userName', message: expect.stringContaining('256') }]);
  });
});

describe('flattenValidationErrors', () => {
  function validationError(property: string, constraints?: Record<string, string>, children: ValidationError[] = []) {
    const error = new ValidationError();
    error.property = property;
    error.constraints = constraints;
    error.children = children;
    return error;
  }

  it('gives one {field, message} pair per broken constraint', () => {
    const errors = [
      validationError('userName', { isString: 'userName must be a string', maxLength: 'userName is too long' }),
      validationError('status', { isIn: 'status must be active or inactive' }),
    ];

    expect(flattenValidationErrors(errors)).toEqual([
      { field: 'userName', message: 'userName must be a string' },
      { field: 'userName', message: 'userName is too long' },
      { field: 'status', message: 'status must be active or inactive' },
    ]);
  });

  it('names nested fields with dotted paths and skips levels that have no constraints of their own', () => {
    const errors = [
      validationError('userData', undefined, [
        validationError('birthdate', { isDateString: 'birthdate must be a date' }),
        validationError('address', undefined, [validationError('city', { isString: 'city must be a string' })]),
      ]),
    ];

    expect(flattenValidationErrors(errors)).toEqual([
      { field: 'userData.birthdate', message: 'birthdate must be a date' },
      { field: 'userData.address.city', message: 'city must be a string' },
    ]);
  });

  it('prepends a given prefix and returns nothing for no errors', () => {
    expect(flattenValidationErrors([validationError('name', { isString: 'bad' })], 'payload')).toEqual([
      { field: 'payload.name', message: 'bad' },
    ]);
    expect(flattenValidationErrors([])).toEqual([]);
  });
});
