import { CausedBy, recipientId } from '@omni/contracts';
import { Recipient, RecipientChangeSet, RecipientState } from './recipient';
import { STORED_REGISTERED_AT, storedRecipient as stored } from '../use-cases/strict-fakes';
import { IssuedToken, hashVerificationToken } from './verification-token';

const cause: CausedBy = { id: 'command-1', correlationId: 'correlation-1', application: 'app-key-1' };
const later: CausedBy = { id: 'command-2', correlationId: 'correlation-2', application: 'app-key-1' };
const ID = recipientId('email', 'myemail@domain.com');
const NOW = new Date('2025-06-01T12:00:00.000Z');
/** When a stored contact began (its first registration). */
const BEGAN = STORED_REGISTERED_AT;

/** What an owner change of `stored()` carries: everything the contact is but its user. */
const STORED_STATE = {
  channel: 'email',
  address: 'myemail@domain.com',
  properties: { language: 'en' },
  tags: [],
  userData: {},
  status: 'active',
  verification: 'none',
  createdAt: BEGAN.toISOString(),
};

/** A token issuer handing out `token-1`, `token-2`, … and remembering them. */
function issuer(): { issue: () => IssuedToken; issued: IssuedToken[] } {
  const issued: IssuedToken[] = [];
  return {
    issued,
    issue: () => {
      const token = `token-${issued.length + 1}`;
      const result = { token, hash: hashVerificationToken(token), expiresAt: new Date(NOW.getTime() + 3600_000) };
      issued.push(result);
      return result;
    },
  };
}

function pending(token = 'token-1', expiresAt = new Date(NOW.getTime() + 3600_000)): Recipient {
  return stored({ status: 'inactive', verification: 'pending', token: { hash: hashVerificationToken(token), expiresAt } });
}

const register = (changes: Partial<RecipientChangeSet> = {}) =>
  Recipient.register('app-key-1', ID, 'email', 'myemail@domain.com', { properties: {}, ...changes }, cause);
const types = (recipient: Recipient) => recipient.events.map((event) => event.type);
const payloads = (recipient: Recipient) => recipient.events.map((event) => event.payload);
/** [type, subject] of each recorded event; a subject absent from the envelope reads as undefined. */
const subjects = (recipient: Recipient) => recipient.events.map((event) => [event.type, event.subject]);
/** What an erased contact keeps: nothing personal. */
const TOMBSTONE = {
  application: 'app-key-1',
  recipientId: ID,
  channel: 'email',
  address: null,
  userId: null,
  userName: null,
  properties: {},
  tags: [],
  userData: {},
  status: 'erased',
  verification: 'none',
  token: null,
};

describe('Recipient', () => {
  describe('register (an address seen for the first time)', () => {
    it("records one recipient.registered at version 1 with the whole state: the article's contact, active", () => {
      const recipient = register({
        properties: { language: 'en', region: 'NL' },
        user: { userId: 'U123456789', userName: 'John Doe' },
      });

      expect(recipient.events).toHaveLength(1);
      expect(recipient.events[0]).toMatchObject({
        type: 'recipient.registered',
        application: 'app-key-1',
        aggregateId: ID,
        aggregateVersion: 1,
        correlationId: 'correlation-1',
        causationId: 'command-1',
        payload: {
          channel: 'email',
          address: 'myemail@domain.com',
          properties: { language: 'en', region: 'NL' },
          userID: 'U123456789',
          userName: 'John Doe',
          tags: [],
          userData: {},
          status: 'active',
          verification: 'none',
          createdAt: recipient.events[0].time,
        },
      });
      expect(recipient.snapshot).toMatchObject({ status: 'active', verification: 'none', token: null, version: 1, userId: 'U123456789' });
      // The contact begins with its first registration: the event's own time.
      expect(recipient.registeredAt?.toISOString()).toBe(recipient.events[0].time);
    });

    it('keeps only recipient properties that are set, region and country upper-cased', () => {
      const recipient = register({
        properties: { region: 'nl', country: 'be', timeZone: null, unknown: 'x' } as never,
        tags: ['news', 'news', 'sale'],
        userData: { firstName: 'John', lastName: null },
      });

      expect(payloads(recipient)[0]).toMatchObject({
        properties: { region: 'NL', country: 'BE' },
        tags: ['news', 'sale'],
        userData: { firstName: 'John' },
      });
      expect(recipient.snapshot.properties).toEqual({ region: 'NL', country: 'BE' });
    });

    it('with verification: inactive and pending, then recipient.verification-requested carrying the token; only its hash is kept', () => {
      const { issue, issued } = issuer();
      const recipient = register({ verify: issue });

      expect(types(recipient)).toEqual(['recipient.registered', 'recipient.verification-requested']);
      expect(recipient.events.map((e) => e.aggregateVersion)).toEqual([1, 2]);
      expect(payloads(recipient)[0]).toMatchObject({ status: 'inactive', verification: 'pending' });
      expect(payloads(recipient)[1]).toEqual({
        channel: 'email',
        address: 'myemail@domain.com',
        token: 'token-1',
        expiresAt: issued[0].expiresAt.toISOString(),
      });
      expect(recipient.snapshot).toMatchObject({ status: 'inactive', verification: 'pending', token: { hash: issued[0].hash }, version: 2 });
      expect(JSON.stringify(recipient.snapshot)).not.toContain('token-1');
      expect(recipient.isPresent).toBe(true);
    });
  });

  describe('reregister', () => {
    it('the same registration again records nothing and keeps the version (idempotent)', () => {
      const recipient = stored({ userId: 'U1', userName: 'John', tags: ['news'], userData: { firstName: 'John' } });

      recipient.reregister(
        { properties: { language: 'en' }, user: { userId: 'U1', userName: 'John' }, tags: ['news'], userData: { firstName: 'John' } },
        later,
      );

      expect(recipient.events).toEqual([]);
      expect(recipient.snapshot.version).toBe(3);
    });

    it('an active contact records only what changed, each change its own event at the next versions', () => {
      const recipient = stored({ userId: 'U1', userName: 'John', tags: ['news'] });

      recipient.reregister(
        { properties: { language: 'nl', region: 'NL' }, user: { userId: 'U2', userName: 'Jane' }, tags: ['sale'], userData: { firstName: 'Jane' } },
        later,
      );

      expect(recipient.events.map((e) => [e.type, e.aggregateVersion, e.payload])).toEqual([
        ['recipient.updated', 4, { properties: { language: 'nl', region: 'NL' } }],
        [
          'recipient.user-assigned',
          5,
          // The state after the changes before it; sealed for U2.
          {
            userID: 'U2',
            userName: 'Jane',
            previousUserID: 'U1',
            state: { ...STORED_STATE, properties: { language: 'nl', region: 'NL' }, tags: ['news'] },
          },
        ],
        ['recipient.tags-changed', 6, { tags: ['news', 'sale'] }],
        ['recipient.user-data-changed', 7, { userData: { firstName: 'Jane' } }],
      ]);
      expect(recipient.events.every((e) => e.causationId === 'command-2')).toBe(true);
    });

    it('a deactivated contact comes back with one recipient.registered carrying its whole state, and stays verified', () => {
      const recipient = stored({ status: 'inactive', verification: 'verified', userId: 'U1', userName: 'John', tags: ['news'], userData: { firstName: 'John' } });

      recipient.reregister({ properties: { region: 'NL' }, tags: ['sale'] }, later);

      expect(types(recipient)).toEqual(['recipient.registered']);
      expect(payloads(recipient)[0]).toEqual({
        channel: 'email',
        address: 'myemail@domain.com',
        properties: { language: 'en', region: 'NL' },
        userID: 'U1',
        userName: 'John',
        tags: ['news', 'sale'],
        userData: { firstName: 'John' },
        status: 'active',
        verification: 'verified',
        // It keeps when it began.
        createdAt: BEGAN.toISOString(),
      });
      expect(recipient.snapshot).toMatchObject({ status: 'active', verification: 'verified', version: 4 });
      expect(recipient.registeredAt).toEqual(BEGAN);
    });

    it('a deactivated contact registered with verification comes back pending with a new token', () => {
      const { issue } = issuer();
      const recipient = stored({ status: 'inactive', verification: 'verified' });

      recipient.reregister({ properties: {}, verify: issue }, later);

      expect(types(recipient)).toEqual(['recipient.registered', 'recipient.verification-requested']);
      expect(recipient.snapshot).toMatchObject({ status: 'inactive', verification: 'pending' });
    });

    it('an active contact asked for verification stays active: nothing is issued', () => {
      const { issue, issued } = issuer();
      const recipient = stored();

      recipient.reregister({ properties: {}, verify: issue }, later);

      expect(recipient.events).toEqual([]);
      expect(issued).toEqual([]);
    });

    it('a pending contact asked for verification again gets a new token; the old one no longer confirms', () => {
      const { issue } = issuer();
      const recipient = pending('old-token');

      recipient.reregister({ properties: {}, verify: issue }, later);

      expect(types(recipient)).toEqual(['recipient.verification-requested']);
      expect(recipient.confirm(hashVerificationToken('old-token'), NOW, later)).toBe(false);
      expect(recipient.confirm(hashVerificationToken('token-1'), NOW, later)).toBe(true);
    });

    it('a pending contact registered again without verification stays pending (only its token activates it)', () => {
      const recipient = pending();

      recipient.reregister({ properties: { language: 'nl' } }, later);

      expect(types(recipient)).toEqual(['recipient.updated']);
      expect(recipient.snapshot).toMatchObject({ status: 'inactive', verification: 'pending' });
    });
  });

  describe('update', () => {
    it('null clears a property (reported as null); an unchanged one is not reported', () => {
      const recipient = stored({ properties: { language: 'en', region: 'NL', timeZoneOffset: 1 } });

      recipient.update({ properties: { language: 'en', region: null, timeZoneOffset: 2 } }, later);

      expect(payloads(recipient)).toEqual([{ properties: { region: null, timeZoneOffset: 2 } }]);
      expect(recipient.snapshot.properties).toEqual({ language: 'en', timeZoneOffset: 2 });
    });

    it('a null user detaches the contact (recipient.user-removed); a contact of nobody stays as it is', () => {
      const owned = stored({ userId: 'U1', userName: 'John' });
      owned.update({ properties: {}, user: null }, later);
      expect(owned.events.map((e) => [e.type, e.payload])).toEqual([['recipient.user-removed', { previousUserID: 'U1', state: STORED_STATE }]]);
      expect(owned.snapshot).toMatchObject({ userId: null, userName: null });

      const anonymous = stored();
      anonymous.update({ properties: {}, user: null }, later);
      expect(anonymous.events).toEqual([]);
    });

    it('a new userName for the same user is a user-assigned naming the same previous user', () => {
      const recipient = stored({ userId: 'U1', userName: 'John' });

      recipient.update({ properties: {}, user: { userId: 'U1', userName: 'John Doe' } }, later);

      expect(payloads(recipient)).toEqual([{ userID: 'U1', userName: 'John Doe', previousUserID: 'U1', state: STORED_STATE }]);
    });

    it('an owner change carries the whole contact — address, properties, user data, tags, verification, when it began — for its new subject', () => {
      const recipient = stored({
        userId: 'U1',
        userName: 'John',
        properties: { language: 'nl', region: 'NL' },
        tags: ['vip'],
        userData: { firstName: 'John' },
        status: 'inactive',
        verification: 'pending',
        token: { hash: hashVerificationToken('token-1'), expiresAt: NOW },
      });
      const state = {
        ...STORED_STATE,
        properties: { language: 'nl', region: 'NL' },
        tags: ['vip'],
        userData: { firstName: 'John' },
        status: 'inactive',
        verification: 'pending',
      };

      recipient.assignUser({ userId: 'U2', userName: 'Jane' }, later);
      recipient.removeUser(later);

      expect(recipient.events.map((e) => [e.type, e.subject, (e.payload as { state: unknown }).state])).toEqual([
        ['recipient.user-assigned', 'U2', state],
        ['recipient.user-removed', undefined, state],
      ]);
      // The token is a secret of the messaging capability, not part of what a reader keeps.
      expect(JSON.stringify(recipient.events)).not.toContain(hashVerificationToken('token-1'));
    });

    it('a contact whose registration time is not known carries its state without it', () => {
      const recipient = Recipient.restore({ ...stored().snapshot, userId: 'U1' }, null);
      recipient.removeUser(later);
      const withoutTime: Partial<typeof STORED_STATE> = { ...STORED_STATE };
      delete withoutTime.createdAt;
      expect(payloads(recipient)).toEqual([{ previousUserID: 'U1', state: withoutTime }]);
    });

    it('user data: given fields replace, null clears, others stay; the event carries the whole user data', () => {
      const recipient = stored({ userData: { firstName: 'John', gender: 'Male' } });

      recipient.update({ properties: {}, userData: { firstName: 'Jon', gender: null } }, later);

      expect(payloads(recipient)).toEqual([{ userData: { firstName: 'Jon' } }]);
    });
  });

  describe('deactivate', () => {
    it('records recipient.deactivated with its user once; again changes nothing', () => {
      const recipient = stored({ userId: 'U1' });

      recipient.deactivate(later);
      recipient.deactivate(later);

      expect(recipient.events.map((e) => [e.type, e.aggregateVersion, e.payload])).toEqual([['recipient.deactivated', 4, { userID: 'U1' }]]);
      expect(recipient.snapshot.status).toBe('inactive');
      expect(recipient.isPresent).toBe(false);
    });

    it('cancels a pending verification: its token no longer confirms', () => {
      const recipient = pending('token-1');

      recipient.deactivate(later);

      expect(types(recipient)).toEqual(['recipient.deactivated']);
      expect(recipient.snapshot).toMatchObject({ status: 'inactive', verification: 'none', token: null });
      expect(recipient.confirm(hashVerificationToken('token-1'), NOW, later)).toBe(false);
    });
  });

  describe('confirm', () => {
    it('the right, unexpired token activates and verifies the contact with recipient.verified, and forgets the token', () => {
      const recipient = pending('token-1');

      expect(recipient.confirm(hashVerificationToken('token-1'), NOW, later)).toBe(true);

      expect(recipient.events.map((e) => [e.type, e.aggregateVersion, e.payload])).toEqual([['recipient.verified', 4, { userID: null }]]);
      expect(recipient.snapshot).toMatchObject({ status: 'active', verification: 'verified', token: null });
    });

    it('works once: the same token again is refused', () => {
      const recipient = pending('token-1');
      recipient.confirm(hashVerificationToken('token-1'), NOW, cause);

      expect(recipient.confirm(hashVerificationToken('token-1'), NOW, later)).toBe(false);
      expect(recipient.events).toHaveLength(1);
    });

    it.each([
      ['a wrong token', 'token-2', NOW],
      ['the right token at its expiry', 'token-1', new Date(NOW.getTime() + 3600_000)],
      ['the right token after its expiry', 'token-1', new Date(NOW.getTime() + 3600_001)],
    ])('refuses %s and changes nothing', (_case, token, at) => {
      const recipient = pending('token-1');

      expect(recipient.confirm(hashVerificationToken(token), at, later)).toBe(false);
      expect(recipient.events).toEqual([]);
      expect(recipient.snapshot).toMatchObject({ status: 'inactive', verification: 'pending', version: 3 });
    });

    it('refuses any token when nothing is pending', () => {
      expect(stored().confirm(hashVerificationToken('token-1'), NOW, later)).toBe(false);
      expect(stored({ verification: 'verified' }).confirm(hashVerificationToken('token-1'), NOW, later)).toBe(false);
    });
  });

  describe('tags', () => {
    it('add keeps first-added order and adds no duplicates; adding tags it has records nothing', () => {
      const recipient = stored({ tags: ['a'] });
      recipient.addTags(['b', 'a', 'c'], later);
      recipient.addTags(['c'], later);
      expect(payloads(recipient)).toEqual([{ tags: ['a', 'b', 'c'] }]);
    });

    it('remove ignores tags it does not have; clear on no tags records nothing', () => {
      const recipient = stored({ tags: ['a', 'b'] });
      recipient.removeTags(['b', 'x'], later);
      recipient.removeTags(['x'], later);
      recipient.clearTags(later);
      recipient.clearTags(later);
      expect(payloads(recipient)).toEqual([{ tags: ['a'] }, { tags: [] }]);
    });
  });

  describe('restore', () => {
    it('records no events and does not share the state it was restored from', () => {
      const state: RecipientState = { ...stored().snapshot, tags: ['a'], userData: { firstName: 'John' } };
      const recipient = Recipient.restore(state);

      recipient.addTags(['b'], later);
      recipient.overrideUserData({ firstName: null }, later);

      expect(state.tags).toEqual(['a']);
      expect(state.userData).toEqual({ firstName: 'John' });
      expect(Recipient.restore(state).events).toEqual([]);
    });
  });

  describe('erase (its user was erased)', () => {
    it('keeps nothing personal, with one recipient.erased (status erased, no subject); the contact no longer exists for commands', () => {
      const recipient = stored({
        userId: 'U1',
        userName: 'Ada',
        userData: { firstName: 'Ada' },
        tags: ['vip'],
        properties: { language: 'en', region: 'NL' },
        verification: 'verified',
      });

      recipient.erase(later);

      expect(recipient.events).toHaveLength(1);
      expect(recipient.events[0]).toMatchObject({ type: 'recipient.erased', aggregateId: ID, aggregateVersion: 4, payload: { status: 'erased' } });
      expect(recipient.events[0]).not.toHaveProperty('subject');
      expect(recipient.snapshot).toEqual({ ...TOMBSTONE, version: 4 });
      expect([recipient.isErased, recipient.isPresent, recipient.user, recipient.registeredAt]).toEqual([true, false, null, null]);
    });

    it('a pending or deactivated contact is erased too (its token forgotten); an erased one records nothing again', () => {
      const waiting = pending('token-1');
      const deactivated = stored({ status: 'inactive', userId: 'U1' });
      waiting.erase(later);
      deactivated.erase(later);
      waiting.erase(later);

      expect([types(waiting), types(deactivated)]).toEqual([['recipient.erased'], ['recipient.erased']]);
      expect(waiting.snapshot).toEqual({ ...TOMBSTONE, version: 4 });
      expect(waiting.confirm(hashVerificationToken('token-1'), NOW, later)).toBe(false);
    });

    it('an erased contact records nothing for deactivate, and refuses to be re-registered as a known contact', () => {
      const recipient = stored({ ...TOMBSTONE, version: 4 } as Partial<RecipientState>);

      recipient.deactivate(later);

      expect(recipient.events).toEqual([]);
      expect(() => recipient.reregister({ properties: {} }, later)).toThrow('registered anew');
    });

    it('registering its address anew starts a new, active contact at the next version, with nothing of the erased one', () => {
      const recipient = stored({ ...TOMBSTONE, version: 4 } as Partial<RecipientState>);

      recipient.registerAnew('myemail@domain.com', { properties: { language: 'nl' }, user: { userId: 'U2', userName: null } }, later);

      expect(recipient.events.map((e) => [e.type, e.aggregateVersion, e.subject])).toEqual([['recipient.registered', 5, 'U2']]);
      expect(recipient.events[0].payload).toEqual({
        channel: 'email',
        address: 'myemail@domain.com',
        properties: { language: 'nl' },
        userID: 'U2',
        userName: null,
        tags: [],
        userData: {},
        status: 'active',
        verification: 'none',
        // A new contact: it begins with this registration.
        createdAt: recipient.events[0].time,
      });
      expect(recipient.snapshot).toMatchObject({ address: 'myemail@domain.com', status: 'active', version: 5 });
      expect(recipient.registeredAt?.toISOString()).toBe(recipient.events[0].time);
      expect(() => stored().registerAnew('myemail@domain.com', { properties: {} }, later)).toThrow('only an erased contact');
    });
  });

  describe('subject (whose personal data an event holds)', () => {
    it('is the user the contact belongs to after the change', () => {
      const recipient = register({ user: { userId: 'U1', userName: 'Ada' }, verify: issuer().issue });
      recipient.update({ properties: { language: 'nl' }, userData: { firstName: 'Ada' }, tags: ['t'] }, later);
      recipient.confirm(hashVerificationToken('token-1'), NOW, later);
      recipient.assignUser({ userId: 'U2', userName: 'Bob' }, later);
      recipient.deactivate(later);

      expect(subjects(recipient)).toEqual([
        ['recipient.registered', 'U1'],
        ['recipient.verification-requested', 'U1'],
        ['recipient.updated', 'U1'],
        ['recipient.tags-changed', 'U1'],
        ['recipient.user-data-changed', 'U1'],
        ['recipient.verified', 'U1'],
        ['recipient.user-assigned', 'U2'],
        ['recipient.deactivated', 'U2'],
      ]);
    });

    it("is absent when the contact belongs to nobody: an anonymous registration, a removed user, an erased contact", () => {
      const anonymous = register({ userData: { firstName: 'Anna' } });
      const removed = stored({ userId: 'U1' });
      removed.removeUser(later);
      const erased = stored({ userId: 'U1' });
      erased.erase(later);

      for (const recipient of [anonymous, removed, erased]) {
        expect(recipient.events).toHaveLength(1);
        expect(recipient.events[0]).not.toHaveProperty('subject');
      }
    });
  });
});
