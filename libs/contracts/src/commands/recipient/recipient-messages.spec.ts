import { UndecodableMessage, decodeMessage } from '../../decode';
import { newEnvelope } from '../../envelope';
import { RECIPIENT_VERIFICATION_REQUESTED } from '../../events/recipient/recipient-verification-requested.event';
import { RECIPIENT_REGISTERED } from '../../events/recipient/recipient-registered.event';
import { RECIPIENT_USER_ASSIGNED } from '../../events/recipient/recipient-user-assigned.event';
import { RECIPIENT_USER_REMOVED } from '../../events/recipient/recipient-user-removed.event';
import { recipientId } from './recipient-address';
import { CONFIRM_RECIPIENT } from './confirm-recipient.command';
import { REGISTER_RECIPIENT } from './register-recipient.command';
import { UPDATE_RECIPIENT } from './update-recipient.command';
import { ADD_RECIPIENT_TAGS } from './add-recipient-tags.command';

const ID = recipientId('email', 'myemail@domain.com');

function wire(type: string, payload: unknown): string {
  return JSON.stringify(newEnvelope({ type, application: 'app-key-1', aggregateId: ID, aggregateVersion: null, payload }));
}

function refused(type: string, payload: unknown): UndecodableMessage {
  try {
    decodeMessage(wire(type, payload));
  } catch (error) {
    if (error instanceof UndecodableMessage) return error;
    throw error;
  }
  throw new Error('decoded');
}

const ARTICLE_EMAIL = {
  channel: 'email',
  address: 'myemail@domain.com',
  normalisedAddress: 'myemail@domain.com',
  userID: 'U123456789',
  userName: 'John Doe',
  language: 'en',
  region: 'NL',
};

describe('recipient messages on the wire', () => {
  it("the article's email body, as a recipient.register, decodes as sent", () => {
    expect(decodeMessage(wire(REGISTER_RECIPIENT, ARTICLE_EMAIL)).payload).toEqual(ARTICLE_EMAIL);
  });

  it('a register with every optional field decodes; null clears and lower-case regions are accepted', () => {
    const payload = {
      ...ARTICLE_EMAIL,
      region: 'nl',
      country: null,
      timeZone: 'Europe/Amsterdam',
      timeZoneOffset: 1,
      userData: { firstName: 'John', vip: true, score: 3, lastName: null },
      tags: ['news', 'sale'],
      verify: true,
      credential: 'master',
    };
    expect(decodeMessage(wire(REGISTER_RECIPIENT, payload)).payload).toEqual(payload);
  });

  it.each([
    ['an unknown region', { region: 'XX' }, 'region'],
    ['a region that is a name', { region: 'Netherlands' }, 'region'],
    ['an unknown country', { country: 'UK' }, 'country'],
    ['an unknown time zone', { timeZone: 'Mars/Olympus' }, 'timeZone'],
    ['an offset beyond 14 hours', { timeZoneOffset: 15 }, 'timeZoneOffset'],
    ['a channel that is not email or sms', { channel: 'fax' }, 'channel'],
    ['a missing address', { address: undefined }, 'address'],
    ['a missing normalised address', { normalisedAddress: undefined }, 'normalisedAddress'],
    ['an empty userID', { userID: '' }, 'userID'],
    ['a tag with a control character', { tags: ['a\u0007'] }, 'tags'],
    ['user data that is a list', { userData: ['x'] }, 'userData'],
    ['verify as a string', { verify: 'yes' }, 'verify'],
    ['an unknown credential', { credential: 'root' }, 'credential'],
  ])('a register with %s is refused as invalid-payload naming the field', (_case, change, field) => {
    const error = refused(REGISTER_RECIPIENT, { ...ARTICLE_EMAIL, ...change });
    expect(error.reason).toBe('invalid-payload');
    expect(error.fields?.map((f) => f.field)).toEqual(expect.arrayContaining([field]));
  });

  it('a refusal message names the field but never echoes the value (addresses and regions stay out of logs)', () => {
    const error = refused(REGISTER_RECIPIENT, { ...ARTICLE_EMAIL, region: 'QQ-secret', address: 42 });
    expect(error.message).toContain('region');
    expect(error.message).not.toContain('QQ-secret');
  });

  it('an update without any field decodes (nothing to change), one with an unknown region does not', () => {
    expect(decodeMessage(wire(UPDATE_RECIPIENT, {})).payload).toEqual({});
    expect(refused(UPDATE_RECIPIENT, { region: 'ZZ' }).fields).toEqual([{ field: 'region', message: expect.stringContaining('ISO 3166') }]);
  });

  it('add-tags needs at least one tag; confirm needs a token', () => {
    expect(refused(ADD_RECIPIENT_TAGS, { tags: [] }).reason).toBe('invalid-payload');
    expect(refused(CONFIRM_RECIPIENT, {}).fields?.map((f) => f.field)).toContain('token');
    expect(decodeMessage(wire(CONFIRM_RECIPIENT, { token: 'abc' })).payload).toEqual({ token: 'abc' });
  });

  it('recipient.registered and recipient.verification-requested events decode', () => {
    const registered = {
      channel: 'sms',
      address: '+31123456789',
      properties: { language: 'en', region: 'NL' },
      userID: 'U123456789',
      userName: 'John Doe',
      tags: [],
      userData: {},
      status: 'inactive',
      verification: 'pending',
    };
    expect(decodeMessage(wire(RECIPIENT_REGISTERED, registered)).payload).toEqual(registered);
    const requested = { channel: 'sms', address: '+31123456789', token: 'x'.repeat(43), expiresAt: '2030-01-01T00:00:00.000Z' };
    expect(decodeMessage(wire(RECIPIENT_VERIFICATION_REQUESTED, requested)).payload).toEqual(requested);
    expect(refused(RECIPIENT_VERIFICATION_REQUESTED, { ...requested, expiresAt: 'tomorrow' }).fields?.[0].field).toBe('expiresAt');
    const withCreatedAt = { ...registered, createdAt: '2025-03-01T09:00:01.000Z' };
    expect(decodeMessage(wire(RECIPIENT_REGISTERED, withCreatedAt)).payload).toEqual(withCreatedAt);
    expect(refused(RECIPIENT_REGISTERED, { ...registered, createdAt: 'once' }).fields?.[0].field).toBe('createdAt');
  });

  it('owner changes decode with and without the contact\'s state; a user-removed opened without its user (erased) keeps its state', () => {
    const state = {
      channel: 'email',
      address: 'myemail@domain.com',
      properties: { language: 'en' },
      tags: ['vip'],
      userData: { firstName: 'John' },
      status: 'inactive',
      verification: 'pending',
      createdAt: '2025-03-01T09:00:01.000Z',
    };
    for (const payload of [
      { userID: 'U2', userName: null, previousUserID: 'U1' },
      { userID: 'U2', userName: null, previousUserID: 'U1', state },
    ]) {
      expect(decodeMessage(wire(RECIPIENT_USER_ASSIGNED, payload)).payload).toEqual(payload);
    }
    for (const payload of [{ previousUserID: 'U1' }, { previousUserID: 'U1', state }, { previousUserID: null, state }]) {
      expect(decodeMessage(wire(RECIPIENT_USER_REMOVED, payload)).payload).toEqual(payload);
    }
    expect(new Set(refused(RECIPIENT_USER_REMOVED, {}).fields?.map((field) => field.field))).toEqual(new Set(['previousUserID']));
    expect(refused(RECIPIENT_USER_ASSIGNED, { userID: 'U2', userName: null, previousUserID: null, state: { ...state, address: '' } }).fields?.[0].field).toBe(
      'state.address',
    );
    expect(refused(RECIPIENT_USER_REMOVED, { previousUserID: 'U1', state: 'pd1.sealed' }).fields?.[0].field).toBe('state');
  });
});
