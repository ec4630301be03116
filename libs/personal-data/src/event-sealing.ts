import { Envelope, PERSONAL_FIELDS, PersonalField, USER_AGGREGATE_EVENTS, USER_ERASED, isSealed } from '@omni/contracts';
import { SubjectKey, openValue, sealValue, sealedKeyId } from './cipher';
import { Queryable, SubjectKeys } from './subject-keys';

/**
 * Seals the personal data of events before they are written (the producer's side of
 * crypto-shredding, see libs/contracts/src/personal-data.ts): each personal field with its data
 * subject's key, the `subject` itself, and — for user events — the aggregate id replaced by the
 * user's key id, so that the user's id does not stand in clear on the event topic or its keys.
 * Events without a subject and without personal fields of their own pass unchanged.
 */
export class EventSealer {
  constructor(private readonly keys: SubjectKeys = new SubjectKeys()) {}

  async seal(q: Queryable, events: readonly Envelope[]): Promise<Envelope[]> {
    const keys = new Map<string, SubjectKey>();
    const sealed: Envelope[] = [];
    for (const event of events) {
      // Only the erasure itself is still sealed with the key of a user being erased.
      const erasing = event.type === USER_ERASED;
      const keyOf = async (application: string, userId: string) => {
        const memo = `${application}\u0000${userId}`;
        let key = keys.get(memo);
        if (!key) keys.set(memo, (key = await this.keys.forSubject(q, application, userId, { erasing })));
        return key;
      };
      sealed.push(await this.sealOne(event, keyOf));
    }
    return sealed;
  }

  private async sealOne(event: Envelope, keyOf: (application: string, userId: string) => Promise<SubjectKey>): Promise<Envelope> {
    const fields = PERSONAL_FIELDS[event.type as keyof typeof PERSONAL_FIELDS] ?? [];
    const isUserEvent = USER_AGGREGATE_EVENTS.has(event.type);
    if (isUserEvent && !event.subject) throw new Error(`${event.type} must name its subject (the user)`);
    if (!event.subject && !fields.some((field) => field.ownSubject && getPath(event.payload, field.path) != null)) return event;

    const subjectKey = event.subject ? await keyOf(event.application, event.subject) : undefined;
    const payload = structuredClone(event.payload) as Record<string, unknown>;
    for (const field of fields) {
      const value = getPath(payload, field.path);
      if (value === undefined || value === null) continue;
      const key = field.ownSubject ? await keyOf(event.application, String(value)) : subjectKey;
      if (key) setPath(payload, field.path, sealValue(key, value));
    }
    const { subject, ...rest } = event;
    return {
      ...rest,
      ...(isUserEvent && subjectKey ? { aggregateId: subjectKey.keyId } : {}),
      ...(subject && subjectKey ? { subject: sealValue(subjectKey, subject) } : {}),
      payload,
    };
  }
}

/**
 * Opens sealed events for a reader (the projection). A value whose key is gone — its subject was
 * erased — becomes what its field's rule says (null, {}, absent), or the whole event is dropped
 * (`undefined`): a replay then folds the event log into the state the erasure left, never back to
 * the erased data. A key of another application never opens anything.
 */
export class EventOpener {
  constructor(private readonly keys: SubjectKeys = new SubjectKeys()) {}

  /**
   * `keys`: the keys read so far, to share between the messages of one transaction (a batch). The
   * caller must forget the keys once it deletes one (`OpenedKeys.forgetAll`): an erased key opens nothing more.
   */
  /**
   * Read the keys every message of a batch is sealed with, with one statement, into `keys`; the
   * keys found, with their users (a user event's aggregateId is its key's id: its user is known
   * before it is opened).
   */
  async preloadKeys(q: Queryable, messages: readonly Record<string, unknown>[], keys: OpenedKeys): Promise<(SubjectKey & { userId: string })[]> {
    const wanted = new Set<string>();
    for (const message of messages) {
      for (const sealed of sealedValuesOf(message)) {
        const keyId = sealedKeyId(sealed);
        if (keyId && !keys.has(keyId)) wanted.add(keyId);
      }
    }
    if (wanted.size === 0) return [];
    const found = await this.keys.byIds(q, [...wanted]);
    for (const key of found) keys.set(key.keyId, key);
    for (const keyId of wanted) if (!keys.has(keyId)) keys.set(keyId, undefined);
    return found;
  }

  async open(q: Queryable, message: Record<string, unknown>, keys: OpenedKeys = new OpenedKeys()): Promise<Record<string, unknown> | undefined> {
    const application = message.application;
    const type = message.type;
    if (typeof application !== 'string' || typeof type !== 'string') return message;
    const fields: readonly PersonalField[] = PERSONAL_FIELDS[type as keyof typeof PERSONAL_FIELDS] ?? [];
    const payload = message.payload;
    const payloadObject = typeof payload === 'object' && payload !== null && !Array.isArray(payload) ? (payload as Record<string, unknown>) : undefined;
    const hasSealedField = payloadObject !== undefined && fields.some((field) => isSealed(getPath(payloadObject, field.path)));
    // Nothing sealed: an anonymous channel's event (or one written before sealing existed).
    if (!isSealed(message.subject) && !hasSealedField) return message;

    const open = async (sealed: string): Promise<{ value: unknown } | undefined> => {
      const keyId = sealedKeyId(sealed);
      if (!keyId) return undefined;
      const key = await keys.get(keyId, () => this.keys.byId(q, keyId));
      return key && key.application === application ? openValue(key, sealed) : undefined;
    };

    const opened: Record<string, unknown> = { ...message };
    if (isSealed(message.subject)) {
      const subject = await open(message.subject);
      if (subject && typeof subject.value === 'string') opened.subject = subject.value;
      else delete opened.subject;
    }
    if (USER_AGGREGATE_EVENTS.has(type)) {
      // The user's id is the subject; when it does not open, the event is about nobody any more.
      if (typeof opened.subject !== 'string') return undefined;
      opened.aggregateId = opened.subject;
    }
    if (payloadObject) {
      const openedPayload = structuredClone(payloadObject);
      // `skip` fields kept with another one: decided once every field is opened (or erased).
      const keptWith: { path: string; with: string }[] = [];
      for (const field of fields) {
        const value = getPath(openedPayload, field.path);
        if (!isSealed(value)) continue;
        const result = await open(value);
        if (result) {
          setPath(openedPayload, field.path, result.value);
          continue;
        }
        if (field.whenErased === 'skip' && field.keptWith) keptWith.push({ path: field.path, with: field.keptWith });
        else if (field.whenErased === 'skip') return undefined;
        else if (field.whenErased === 'absent') deletePath(openedPayload, field.path);
        else setPath(openedPayload, field.path, field.whenErased === null ? null : {});
      }
      for (const field of keptWith) {
        if (getPath(openedPayload, field.with) === undefined) return undefined;
        setPath(openedPayload, field.path, null);
      }
      opened.payload = openedPayload;
    }
    return opened;
  }
}


/** Subject keys read by an EventOpener, by key id (undefined: no such key, i.e. erased). */
export class OpenedKeys {
  private readonly keys = new Map<string, SubjectKey | undefined>();

  async get(keyId: string, read: () => Promise<SubjectKey | undefined>): Promise<SubjectKey | undefined> {
    if (!this.keys.has(keyId)) this.keys.set(keyId, await read());
    return this.keys.get(keyId);
  }

  /** Whether the key was read already (found or not). */
  has(keyId: string): boolean {
    return this.keys.has(keyId);
  }

  /** A key read ahead (undefined: there is none). */
  set(keyId: string, key: SubjectKey | undefined): void {
    this.keys.set(keyId, key);
  }

  /** Every key: after an erasure, none may open from memory what the database no longer holds. */
  forgetAll(): void {
    this.keys.clear();
  }
}

function getPath(target: unknown, path: string): unknown {
  let current: unknown = target;
  for (const part of path.split('.')) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let current = target;
  for (const part of parts.slice(0, -1)) {
    const next = current[part];
    if (typeof next !== 'object' || next === null) return;
    current = next as Record<string, unknown>;
  }
  current[parts[parts.length - 1]] = value;
}

function deletePath(target: Record<string, unknown>, path: string): void {
  const parts = path.split('.');
  let current = target;
  for (const part of parts.slice(0, -1)) {
    const next = current[part];
    if (typeof next !== 'object' || next === null) return;
    current = next as Record<string, unknown>;
  }
  delete current[parts[parts.length - 1]];
}

/** The sealed values of a message as read: its subject and its sealed personal fields. */
function sealedValuesOf(message: Record<string, unknown>): string[] {
  const sealed: string[] = [];
  if (isSealed(message.subject)) sealed.push(message.subject);
  const fields: readonly PersonalField[] = PERSONAL_FIELDS[message.type as keyof typeof PERSONAL_FIELDS] ?? [];
  const payload = message.payload;
  if (fields.length === 0 || typeof payload !== 'object' || payload === null) return sealed;
  for (const field of fields) {
    const value = getPath(payload, field.path);
    if (isSealed(value)) sealed.push(value);
  }
  return sealed;
}
