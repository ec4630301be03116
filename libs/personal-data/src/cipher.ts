import { KeyObject, createCipheriv, createDecipheriv, createSecretKey, randomBytes } from 'node:crypto';
import { SEALED_PREFIX } from '@omni/contracts';

/** A data subject's key: AES-256-GCM, 32 random bytes. */
export interface SubjectKey {
  keyId: string;
  application: string;
  key: Buffer;
}

/**
 * Each key as a KeyObject, made once per SubjectKey: given the raw bytes, every cipher would
 * import them again (a third of what sealing a value costs). Lives as long as the SubjectKey.
 */
const secrets = new WeakMap<SubjectKey, KeyObject>();

function secretOf(key: SubjectKey): KeyObject {
  let secret = secrets.get(key);
  if (!secret) secrets.set(key, (secret = createSecretKey(key.key)));
  return secret;
}

const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Seal a JSON value with a subject's key: `pd1.<keyId>.<iv>.<ciphertext + tag>` (base64url).
 * The application and key id are authenticated too, so a value cannot be moved to another tenant
 * or key unnoticed.
 */
export function sealValue(key: SubjectKey, value: unknown): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', secretOf(key), iv);
  cipher.setAAD(associatedData(key));
  const ciphertext = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return `${SEALED_PREFIX}${key.keyId}.${iv.toString('base64url')}.${ciphertext.toString('base64url')}`;
}

/** The key id a sealed value names, or undefined if it is not a well-formed sealed value (read without decoding the rest). */
export function sealedKeyId(sealed: string): string | undefined {
  if (!sealed.startsWith(SEALED_PREFIX)) return undefined;
  const start = SEALED_PREFIX.length;
  const afterKeyId = sealed.indexOf('.', start);
  const afterIv = afterKeyId < 0 ? -1 : sealed.indexOf('.', afterKeyId + 1);
  const wellFormed = afterKeyId > start && afterIv > afterKeyId + 1 && afterIv < sealed.length - 1 && sealed.indexOf('.', afterIv + 1) < 0;
  return wellFormed ? sealed.slice(start, afterKeyId) : undefined;
}

/** Open a sealed value; undefined when it does not open with this key (wrong key, tenant or tampered). */
export function openValue(key: SubjectKey, sealed: string): { value: unknown } | undefined {
  const parts = parse(sealed);
  if (!parts || parts.keyId !== key.keyId || parts.iv.length !== IV_BYTES || parts.body.length < TAG_BYTES) return undefined;
  try {
    const decipher = createDecipheriv('aes-256-gcm', secretOf(key), parts.iv);
    decipher.setAAD(associatedData(key));
    decipher.setAuthTag(parts.body.subarray(parts.body.length - TAG_BYTES));
    const plain = Buffer.concat([decipher.update(parts.body.subarray(0, parts.body.length - TAG_BYTES)), decipher.final()]);
    return { value: JSON.parse(plain.toString('utf8')) as unknown };
  } catch {
    return undefined;
  }
}

/** The authenticated tenant and key id of a key's values, made once per SubjectKey (as its KeyObject). */
const associated = new WeakMap<SubjectKey, Buffer>();

function associatedData(key: SubjectKey): Buffer {
  let data = associated.get(key);
  if (!data) associated.set(key, (data = Buffer.from(`${key.application}\u0000${key.keyId}`, 'utf8')));
  return data;
}

function parse(sealed: string): { keyId: string; iv: Buffer; body: Buffer } | undefined {
  if (!sealed.startsWith(SEALED_PREFIX)) return undefined;
  const [keyId, iv, body, ...rest] = sealed.slice(SEALED_PREFIX.length).split('.');
  if (!keyId || !iv || !body || rest.length > 0) return undefined;
  return { keyId, iv: Buffer.from(iv, 'base64url'), body: Buffer.from(body, 'base64url') };
}
