import { EntityManager } from 'typeorm';
import { UserRef } from '@omni/persistence';
import { strictFake } from '@omni/testing';
import { ApplicationSettings, ChannelLimits, CommandType, DEFAULT_APPLICATION_SETTINGS, Message, channelLimitsOf, newEnvelope, recipientId } from '@omni/contracts';
import { ApplicationSettingsStore, KnownApplication } from '@omni/app-settings';
import { Recipient, RecipientState } from '../domain/recipient';
import { IssuedToken, hashVerificationToken } from '../domain/verification-token';
import { RecipientsRepository } from '../persistence/recipients.repository';
import { Clock, VerificationTokens } from '../verification/verification-tokens';

/**
 * Strict fakes of the recipient use cases' ports, for unit tests (no database): each answers what
 * it was given, records its calls, and fails on any property the use case was not meant to touch.
 */

export const APP = 'app-key-1';
export const EMAIL = 'myemail@domain.com';
export const EMAIL_ID = recipientId('email', EMAIL);
export const PHONE = '+31612345678';
export const PHONE_ID = recipientId('sms', PHONE);
/** The time every fake clock reads. */
export const NOW = new Date('2025-06-01T12:00:00.000Z');

const strict = <T extends object>(name: string, implemented: T): T => strictFake<T>(name, implemented);

export type RecipientCall =
  | { method: 'findForUpdate'; em: EntityManager; application: string; recipientId: string }
  | { method: 'findOfUserForUpdate'; em: EntityManager; application: string; userId: string }
  | { method: 'mayAttach'; em: EntityManager; application: string; userId: string; except: readonly string[]; limit: number }
  | { method: 'save'; em: EntityManager; recipient: Recipient; saved: RecipientState };

/**
 * Recipients port answering from the given recipients (by application and id; a user's contacts by
 * their current user, in id order); `saved` is the state at save time.
 */
export function strictRecipients(...stored: Recipient[]): { repository: RecipientsRepository; calls: RecipientCall[] } {
  const calls: RecipientCall[] = [];
  const byKey = new Map(stored.map((recipient) => [`${recipient.snapshot.application}:${recipient.snapshot.recipientId}`, recipient]));
  const repository = strict('RecipientsRepository', {
    async findForUpdate(em: EntityManager, application: string, id: string): Promise<Recipient | null> {
      calls.push({ method: 'findForUpdate', em, application, recipientId: id });
      return byKey.get(`${application}:${id}`) ?? null;
    },
    async findOfUserForUpdate(em: EntityManager, application: string, userId: string): Promise<Recipient[]> {
      calls.push({ method: 'findOfUserForUpdate', em, application, userId });
      return [...byKey.values()]
        .filter((recipient) => recipient.snapshot.application === application && recipient.snapshot.userId === userId)
        .sort((a, b) => (a.snapshot.recipientId < b.snapshot.recipientId ? -1 : 1));
    },
    async mayAttach(em: EntityManager, { application, userId }: UserRef, except: readonly string[], limit: number): Promise<boolean> {
      calls.push({ method: 'mayAttach', em, application, userId, except, limit });
      const present = [...byKey.values()].filter(
        ({ snapshot, isPresent }) => snapshot.application === application && snapshot.userId === userId && isPresent && !except.includes(snapshot.recipientId),
      );
      return present.length < limit;
    },
    async save(em: EntityManager, recipient: Recipient): Promise<void> {
      calls.push({ method: 'save', em, recipient, saved: structuredClone(recipient.snapshot) });
    },
  }) as unknown as RecipientsRepository;
  return { repository, calls };
}

/** Settings port: the given settings for APP (version 1), nothing for any other application (or for none given). */
export function strictSettings(settings?: ApplicationSettings): { store: ApplicationSettingsStore; calls: { application: string }[] } {
  const calls: { application: string }[] = [];
  const store = strict('ApplicationSettingsStore', {
    async get(_em: EntityManager, application: string): Promise<KnownApplication | undefined> {
      calls.push({ application });
      return settings && application === APP ? { settings, version: 1 } : undefined;
    },
    async channelLimits(_em: EntityManager, application: string): Promise<Required<ChannelLimits>> {
      return channelLimitsOf((application === APP && settings) || DEFAULT_APPLICATION_SETTINGS);
    },
  }) as unknown as ApplicationSettingsStore;
  return { store, calls };
}

export const API_MODE: ApplicationSettings = { userRegistration: 'api', userDataFields: [] };

export const WITH_FIELDS: ApplicationSettings = {
  userRegistration: 'sdk',
  userDataFields: [
    { key: 'firstName', label: 'First name', type: 'text' },
    { key: 'birthdate', label: 'Birthdate', type: 'date' },
    { key: 'gender', label: 'Gender', type: 'enum', values: ['Male', 'Female', 'Other'] },
  ],
};

/** A clock that always reads `at`. */
export function fixedClock(at: Date = NOW): Clock {
  return strict('Clock', { now: () => new Date(at) }) as Clock;
}

/** Tokens port issuing `token-1`, `token-2`, … (valid 24 h from NOW), hashing as the real one does. */
export function fakeTokens(): { tokens: VerificationTokens; issued: IssuedToken[] } {
  const issued: IssuedToken[] = [];
  const tokens = strict('VerificationTokens', {
    issue(): IssuedToken {
      const token = `token-${issued.length + 1}`;
      const result = { token, hash: hashVerificationToken(token), expiresAt: new Date(NOW.getTime() + 24 * 3600_000) };
      issued.push(result);
      return result;
    },
    hash: (token: string) => hashVerificationToken(token),
  }) as unknown as VerificationTokens;
  return { tokens, issued };
}

/**
 * Dummy entity manager: the use case may only hand it on. While `armed`, reading or setting
 * anything on it fails (afterwards the assertions may compare it).
 */
let emArmed = false;
export const em = new Proxy(
  {},
  {
    get(target, property, receiver) {
      if (emArmed) throw new Error(`the use case used EntityManager.${String(property)} itself`);
      return Reflect.get(target, property, receiver);
    },
    set(_target, property) {
      throw new Error(`the use case set EntityManager.${String(property)}`);
    },
  },
) as unknown as EntityManager;

/** Run a use case with the dummy entity manager armed. */
export async function armed<T>(run: (em: EntityManager) => Promise<T>): Promise<T> {
  emArmed = true;
  try {
    return await run(em);
  } finally {
    emArmed = false;
  }
}

/** A command as the gateway sends it, about recipient `id` of APP. */
export function recipientCommand<T extends CommandType>(type: T, payload: Message<T>['payload'], id = EMAIL_ID): Message<T> {
  return newEnvelope({ type, application: APP, aggregateId: id, aggregateVersion: null, payload });
}

/** When a stored contact began (its first registration). */
export const STORED_REGISTERED_AT = new Date('2025-05-01T08:00:00.000Z');

/** A stored email contact (active, of nobody, language en, version 3 unless overridden); a tombstone has no registration time. */
export function storedRecipient(overrides: Partial<RecipientState> = {}): Recipient {
  return Recipient.restore(
    {
      application: APP,
      recipientId: EMAIL_ID,
      channel: 'email',
      address: EMAIL,
      userId: null,
      userName: null,
      properties: { language: 'en' },
      tags: [],
      userData: {},
      status: 'active',
      verification: 'none',
      token: null,
      version: 3,
      ...overrides,
    },
    overrides.status === 'erased' ? null : STORED_REGISTERED_AT,
  );
}

/** A stored contact erased with its user (a tombstone: nothing personal, version 4 unless overridden). */
export function erasedRecipient(overrides: Partial<RecipientState> = {}): Recipient {
  return storedRecipient({
    address: null,
    properties: {},
    status: 'erased',
    version: 4,
    ...overrides,
  });
}

/** A stored contact waiting for `token` (valid until `expiresAt`) to be confirmed. */
export function pendingRecipient(token = 'token-1', expiresAt = new Date(NOW.getTime() + 3600_000), overrides: Partial<RecipientState> = {}): Recipient {
  return storedRecipient({ status: 'inactive', verification: 'pending', token: { hash: hashVerificationToken(token), expiresAt }, ...overrides });
}
