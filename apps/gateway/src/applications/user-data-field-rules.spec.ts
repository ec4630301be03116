import { checkFieldDefinitions, normalise } from './user-data-field-rules';

describe('user data field definitions', () => {
  // Found by the gateway fuzzer: a user data key "constructor" made class-transformer fail, so such a field could never be written.
  it('refuse the reserved key "constructor", alone or in the settings, naming where', () => {
    expect(() => normalise({ key: 'constructor', label: 'C', type: 'text' })).toThrow(
      expect.objectContaining({ response: expect.objectContaining({ status: 400, fields: [{ field: 'key', message: 'is a reserved name' }] }) }),
    );
    expect(() => checkFieldDefinitions([{ key: 'ok', label: 'OK', type: 'text' }, { key: 'constructor', label: 'C', type: 'number' }])).toThrow(
      expect.objectContaining({ response: expect.objectContaining({ fields: [{ field: 'userDataFields.1.key', message: 'is a reserved name' }] }) }),
    );
    expect(normalise({ key: 'constructorName', label: 'C', type: 'text' })).toEqual({ key: 'constructorName', label: 'C', type: 'text', required: false });
  });
});
