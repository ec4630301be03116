import { randomBytes, randomUUID } from 'node:crypto';
import { openValue, sealValue, sealedKeyId } from './cipher';

describe('sealed values', () => {
  const key = { keyId: randomUUID(), application: 'app-a', key: randomBytes(32) };

  it('name their key; anything not shaped as a sealed value names none', () => {
    const sealed = sealValue(key, { city: 'Utrecht' });
    expect(sealedKeyId(sealed)).toBe(key.keyId);
    const [prefix] = sealed.split(key.keyId);
    for (const malformed of ['', 'plain text', prefix, `${prefix}${key.keyId}`, `${prefix}${key.keyId}.iv`, `${prefix}${key.keyId}..body`, `${sealed}.extra`, `x${sealed}`]) {
      expect({ malformed, keyId: sealedKeyId(malformed) }).toEqual({ malformed, keyId: undefined });
    }
  });

  it('open with their key, again and again, and with no key of another tenant or id', () => {
    const sealed = sealValue(key, ['a', 1]);
    expect(openValue(key, sealed)).toEqual({ value: ['a', 1] });
    expect(openValue(key, sealed)).toEqual({ value: ['a', 1] });
    expect(openValue({ ...key, application: 'app-b' }, sealed)).toBeUndefined();
    expect(openValue({ ...key, keyId: randomUUID() }, sealed)).toBeUndefined();
  });
});
