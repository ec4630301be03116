import { ApplicationSettings, Message, OVERRIDE_USER_DATA, REGISTER_RECIPIENT, RegisterRecipientPayload, Topics, recipientId } from '@omni/contracts';
import { hashVerificationToken } from '../../domain/verification-token';
import {
  API_MODE,
  APP,
  EMAIL,
  EMAIL_ID,
  NOW,
  PHONE,
  PHONE_ID,
  STORED_REGISTERED_AT,
  WITH_FIELDS,
  armed,
  em,
  erasedRecipient,
  fakeTokens,
  fixedClock,
  pendingRecipient,
  recipientCommand,
  storedRecipient,
  strictRecipients,
  strictSettings,
} from '../strict-fakes';
import { Recipient } from '../../domain/recipient';
import { RegisterRecipientUseCase } from './register-recipient.use-case';

const ARTICLE_EMAIL: RegisterRecipientPayload = {
  channel: 'email',
  address: EMAIL,
  normalisedAddress: EMAIL,
  userID: 'U123456789',
  userName: 'John Doe',
  language: 'en',
  region: 'NL',
};

function register(payload: Partial<RegisterRecipientPayload> = {}, id = EMAIL_ID): Message<typeof REGISTER_RECIPIENT> {
  return recipientCommand(REGISTER_RECIPIENT, { ...ARTICLE_EMAIL, ...payload }, id);
}

function run(command: Message<typeof REGISTER_RECIPIENT>, options: { stored?: Recipient[]; settings?: ApplicationSettings } = {}) {
  const { repository, calls } = strictRecipients(...(options.stored ?? []));
  const { store, calls: settingsCalls } = strictSettings(options.settings);
  const { tokens, issued } = fakeTokens();
  const useCase = new RegisterRecipientUseCase(repository, store, fixedClock(), tokens);
  return { decision: armed((manager) => useCase.execute(manager, command)), calls, settingsCalls, issued };
}

describe('RegisterRecipientUseCase', () => {
  it("the article's email body registers a new contact: accepted, created, version 1, recipient.registered, saved once", async () => {
    const command = register();
    const { decision, calls } = run(command);

    const result = await decision;

    expect(result).toMatchObject({ kind: 'accepted', aggregateType: 'recipient', version: 1, created: true });
    if (result.kind !== 'accepted') throw new Error('not accepted');
    expect(result.events.map((e) => [e.type, e.aggregateId, e.causationId])).toEqual([['recipient.registered', EMAIL_ID, command.id]]);
    expect(result.events[0].payload).toMatchObject({
      channel: 'email',
      address: EMAIL,
      userID: 'U123456789',
      userName: 'John Doe',
      properties: { language: 'en', region: 'NL' },
      status: 'active',
      verification: 'none',
    });
    expect(calls.map((c) => c.method)).toEqual(['findForUpdate', 'mayAttach', 'save']);
    expect(calls[0]).toEqual({ method: 'findForUpdate', em, application: APP, recipientId: EMAIL_ID });
  });

  it("the article's SMS body registers a new SMS number under its E.164 id", async () => {
    const command = register({ channel: 'sms', address: '+31123456789', normalisedAddress: '+31123456789' }, recipientId('sms', '+31123456789'));
    const { decision } = run(command);

    const result = await decision;

    expect(result).toMatchObject({ kind: 'accepted', created: true, version: 1 });
    if (result.kind !== 'accepted') throw new Error('not accepted');
    expect(result.events[0].payload).toMatchObject({ channel: 'sms', address: '+31123456789' });
  });

  it('a national phone number is read with the region as its country', async () => {
    const { decision, calls } = run(register({ channel: 'sms', address: '06 1234 5678', normalisedAddress: PHONE }, PHONE_ID));

    expect(await decision).toMatchObject({ kind: 'accepted', created: true });
    expect(calls[0]).toMatchObject({ recipientId: PHONE_ID });
  });

  it('the same address again (another spelling) updates the same contact: not created, and nothing to record when nothing changed', async () => {
    const existing = storedRecipient({ userId: 'U123456789', userName: 'John Doe', properties: { language: 'en', region: 'NL' } });
    const { decision, calls } = run(register({ address: '  myemail@DOMAIN.com ' }), { stored: [existing] });

    expect(await decision).toEqual({ kind: 'accepted', aggregateType: 'recipient', version: 3, events: [], created: false });
    expect(calls.map((c) => c.method)).toEqual(['findForUpdate']);
  });

  it('the same address with another userID moves the contact: recipient.user-assigned naming the previous user', async () => {
    const existing = storedRecipient({ userId: 'U1', userName: 'John', properties: { language: 'en', region: 'NL' } });
    const { decision, calls } = run(register({ userID: 'U2', userName: 'Jane' }), { stored: [existing] });

    const result = await decision;

    expect(result).toMatchObject({ kind: 'accepted', version: 4, created: false });
    if (result.kind !== 'accepted') throw new Error('not accepted');
    expect(result.events.map((e) => [e.type, e.subject, e.payload])).toEqual([
      [
        'recipient.user-assigned',
        'U2',
        {
          userID: 'U2',
          userName: 'Jane',
          previousUserID: 'U1',
          state: {
            channel: 'email',
            address: EMAIL,
            properties: { language: 'en', region: 'NL' },
            tags: [],
            userData: {},
            status: 'active',
            verification: 'none',
            createdAt: STORED_REGISTERED_AT.toISOString(),
          },
        },
      ],
    ]);
    expect(calls.map((c) => c.method)).toEqual(['findForUpdate', 'mayAttach', 'save']);
  });

  it('a deactivated contact registered again comes back active: one recipient.registered, not created', async () => {
    const existing = storedRecipient({ status: 'inactive', properties: { language: 'en', region: 'NL' }, userId: 'U123456789', userName: 'John Doe' });
    const { decision } = run(register(), { stored: [existing] });

    const result = await decision;

    expect(result).toMatchObject({ kind: 'accepted', version: 4, created: false });
    if (result.kind !== 'accepted') throw new Error('not accepted');
    expect(result.events.map((e) => e.type)).toEqual(['recipient.registered']);
    expect(result.events[0].payload).toMatchObject({ status: 'active' });
  });

  it('an erased contact registered again starts anew: created, active, one recipient.registered continuing its versions, saved', async () => {
    const command = register();
    const { decision, calls } = run(command, { stored: [erasedRecipient({ version: 7 })] });

    const result = await decision;

    expect(result).toMatchObject({ kind: 'accepted', aggregateType: 'recipient', version: 8, created: true });
    if (result.kind !== 'accepted') throw new Error('not accepted');
    expect(result.events.map((e) => [e.type, e.aggregateVersion, e.subject])).toEqual([['recipient.registered', 8, 'U123456789']]);
    expect(result.events[0].payload).toEqual({
      channel: 'email',
      address: EMAIL,
      properties: { language: 'en', region: 'NL' },
      userID: 'U123456789',
      userName: 'John Doe',
      tags: [],
      userData: {},
      status: 'active',
      verification: 'none',
      // A new contact: it begins now.
      createdAt: result.events[0].time,
    });
    expect(calls.map((c) => c.method)).toEqual(['findForUpdate', 'mayAttach', 'save']);
    expect(calls[2]).toMatchObject({ saved: { address: EMAIL, status: 'active', userId: 'U123456789', version: 8 } });
  });

  it('an erased contact registered again with verify starts pending with a fresh token', async () => {
    const { decision, issued } = run(register({ verify: true }), { stored: [erasedRecipient()] });

    const result = await decision;

    if (result.kind !== 'accepted') throw new Error('not accepted');
    expect(result.events.map((e) => [e.type, e.aggregateVersion])).toEqual([
      ['recipient.registered', 5],
      ['recipient.verification-requested', 6],
    ]);
    expect(result.events[0].payload).toMatchObject({ status: 'inactive', verification: 'pending' });
    expect(issued).toHaveLength(1);
  });

  it('verify: created pending, with recipient.verification-requested carrying a fresh token; the saved row holds its hash only', async () => {
    const { decision, calls, issued } = run(register({ verify: true }));

    const result = await decision;

    if (result.kind !== 'accepted') throw new Error('not accepted');
    expect(result.events.map((e) => [e.type, e.aggregateVersion])).toEqual([
      ['recipient.registered', 1],
      ['recipient.verification-requested', 2],
    ]);
    expect(result.events[1].payload).toEqual({ channel: 'email', address: EMAIL, token: 'token-1', expiresAt: issued[0].expiresAt.toISOString() });
    const saved = calls[2];
    if (saved.method !== 'save') throw new Error('third call is not save');
    expect(saved.saved).toMatchObject({ status: 'inactive', verification: 'pending', token: { hash: hashVerificationToken('token-1') } });
    expect(JSON.stringify(saved.saved)).not.toContain('"token-1"');
  });

  it.each([
    ['an email address without a domain', { address: 'myemail@' }, 'email', 'email must be a valid email address'],
    ['an email address with a space', { address: 'my email@domain.com' }, 'email', 'email must be a valid email address'],
    [
      'a national phone number without a region',
      { channel: 'sms' as const, address: '0612345678', normalisedAddress: PHONE, region: undefined },
      'phone',
      'phone must be a valid phone number (international, or national with a region)',
    ],
    [
      'a phone number too short for its country',
      { channel: 'sms' as const, address: '+31 6 1234', normalisedAddress: PHONE },
      'phone',
      'phone must be a valid phone number (international, or national with a region)',
    ],
  ])('%s is refused 400 naming the field, never quoting it, before anything is read', async (_case, change, field, message) => {
    const { decision, calls, settingsCalls } = run(register(change));

    expect(await decision).toEqual({
      kind: 'rejected',
      aggregateType: 'recipient',
      status: 400,
      code: 'VALIDATION_FAILED',
      message: `invalid payload: ${message}`,
      fields: [{ field, message }],
    });
    expect(calls).toEqual([]);
    expect(settingsCalls).toEqual([]);
  });

  it.each([
    ['a normalised address that is not what the address normalises to', register({ normalisedAddress: 'other@domain.com' })],
    ['a command keyed by another recipient id', register({}, recipientId('email', 'other@domain.com'))],
    ['a command keyed by the id of the other channel', register({}, recipientId('sms', EMAIL))],
  ])('%s is refused 400 (the gateway and the service must agree on the contact)', async (_case, command) => {
    const { decision, calls } = run(command);

    expect(await decision).toMatchObject({ kind: 'rejected', status: 400, code: 'VALIDATION_FAILED', fields: [{ field: 'email' }] });
    expect(calls).toEqual([]);
  });

  it("user data is checked against the application's fields: 400 naming userData.<key>, nothing saved", async () => {
    const { decision, calls } = run(register({ userData: { firstName: 'John', shoeSize: 44, birthdate: 'yesterday' } }), { settings: WITH_FIELDS });

    const result = await decision;

    expect(result).toMatchObject({ kind: 'rejected', status: 400, code: 'VALIDATION_FAILED' });
    if (result.kind !== 'rejected') throw new Error('not rejected');
    expect(result.fields?.map((f) => f.field)).toEqual(['userData.shoeSize', 'userData.birthdate']);
    expect(calls.some((c) => c.method === 'save')).toBe(false);
  });

  it("user data sent with a user is the user's: the contact is saved without it, and the data goes to the user's profile, answering for the command", async () => {
    const command = register({ userData: { firstName: 'John', birthdate: null }, credential: 'master' });
    const { decision, calls } = run(command, { settings: WITH_FIELDS });

    const result = await decision;

    if (result.kind !== 'forwarded') throw new Error(`not forwarded: ${result.kind}`);
    expect(result.events.map((event) => event.type)).toEqual(['recipient.registered']);
    expect(result.events[0].payload).toMatchObject({ userID: 'U123456789', userData: {} });
    expect(calls.map((c) => c.method)).toEqual(['findForUpdate', 'mayAttach', 'save']);
    expect(result.to).toEqual({
      topic: Topics.profileCommands,
      command: expect.objectContaining({
        id: command.id,
        type: OVERRIDE_USER_DATA,
        aggregateId: 'U123456789',
        forwardedFrom: { commandType: REGISTER_RECIPIENT, created: true, changed: { aggregateType: 'recipient', aggregateId: EMAIL_ID, version: 1 } },
        payload: { userData: { firstName: 'John', birthdate: null }, credential: 'master' },
      }),
    });
  });

  it("without a userID, user data goes to the user the contact has already", async () => {
    const { decision } = run(register({ userID: undefined, userName: undefined, userData: { firstName: 'John' } }), {
      settings: WITH_FIELDS,
      stored: [storedRecipient({ userId: 'U1' })],
    });

    const result = await decision;

    if (result.kind !== 'forwarded') throw new Error(`not forwarded: ${result.kind}`);
    expect(result.to.command).toMatchObject({ aggregateId: 'U1', forwardedFrom: { created: false, changed: { version: 4 } } });
  });

  it('a contact of nobody keeps the user data sent with it (null clears)', async () => {
    const { decision } = run(register({ userID: undefined, userName: undefined, userData: { firstName: 'John', gender: 'Male', birthdate: null } }), { settings: WITH_FIELDS });

    const result = await decision;

    if (result.kind !== 'accepted') throw new Error('not accepted');
    expect(result.events[0].payload).toMatchObject({ userID: null, userData: { firstName: 'John', gender: 'Male' } });
  });

  it('user data that does not fit the fields is refused before anything is written or forwarded, whoever it is for', async () => {
    for (const userID of ['U123456789', undefined]) {
      const { decision, calls } = run(register({ userID, userData: { nickname: 'J' } }), { settings: WITH_FIELDS });
      expect(await decision).toMatchObject({ kind: 'rejected', status: 400, fields: [{ field: 'userData.nickname' }] });
      expect(calls.map((c) => c.method)).toEqual(['findForUpdate']);
    }
  });

  describe('when user registration is restricted to the API', () => {
    it('an SDK command may not set a userID: 403 USER_REGISTRATION_RESTRICTED, nothing saved', async () => {
      const { decision, calls } = run(register({ credential: 'sdk' }), { settings: API_MODE });

      expect(await decision).toMatchObject({ kind: 'rejected', status: 403, code: 'USER_REGISTRATION_RESTRICTED' });
      expect(calls.map((c) => c.method)).toEqual(['findForUpdate']);
    });

    it('a command that does not say who sent it counts as SDK', async () => {
      const { decision } = run(register({ credential: undefined }), { settings: API_MODE });
      expect(await decision).toMatchObject({ kind: 'rejected', status: 403 });
    });

    it('an SDK command may not detach the contact from its user either', async () => {
      const { decision } = run(register({ credential: 'sdk', userID: null }), { settings: API_MODE, stored: [storedRecipient({ userId: 'U1' })] });
      expect(await decision).toMatchObject({ kind: 'rejected', status: 403 });
    });

    it('an SDK command re-sending the user the contact has is accepted and leaves the user as it is', async () => {
      const existing = storedRecipient({ userId: 'U123456789', userName: 'John Doe', properties: { language: 'en', region: 'NL' } });
      const { decision } = run(register({ credential: 'sdk', userName: 'Someone Else' }), { settings: API_MODE, stored: [existing] });

      expect(await decision).toMatchObject({ kind: 'accepted', events: [], created: false });
    });

    it('a master-secret command may set the userID, without reading the settings (it is never restricted)', async () => {
      const { decision, settingsCalls } = run(register({ credential: 'master' }), { settings: API_MODE });
      expect(await decision).toMatchObject({ kind: 'accepted', created: true });
      expect(settingsCalls).toEqual([]);
    });

    it('an SDK command without a userID or user data registers the contact, without reading the settings', async () => {
      const { decision, settingsCalls } = run(register({ credential: 'sdk', userID: undefined, userName: undefined }), { settings: API_MODE });
      expect(await decision).toMatchObject({ kind: 'accepted', created: true });
      expect(settingsCalls).toEqual([]);
    });

    it('an SDK command with a userID and user data reads the settings once for both rules', async () => {
      const restrictedWithFields = { ...WITH_FIELDS, userRegistration: 'api' as const };
      const { decision, settingsCalls } = run(register({ credential: 'sdk', userData: { firstName: 'John' } }), { settings: restrictedWithFields });
      expect(await decision).toMatchObject({ kind: 'rejected', status: 403 });
      expect(settingsCalls).toHaveLength(1);
    });
  });

  it('a time zone without an offset gets the zone’s offset at the time of the command', async () => {
    const { decision } = run(register({ timeZone: 'Europe/Amsterdam' }));

    const result = await decision;

    if (result.kind !== 'accepted') throw new Error('not accepted');
    expect(NOW.toISOString()).toBe('2025-06-01T12:00:00.000Z');
    expect(result.events[0].payload).toMatchObject({ properties: { timeZone: 'Europe/Amsterdam', timeZoneOffset: 2 } });
  });

  it('a stored contact under this id with another address (a hash collision) is refused 409, never merged', async () => {
    const { decision, calls } = run(register(), { stored: [storedRecipient({ address: 'someone-else@domain.com' })] });

    expect(await decision).toMatchObject({ kind: 'rejected', status: 409, code: 'RECIPIENT_ID_CONFLICT' });
    expect(calls.map((c) => c.method)).toEqual(['findForUpdate']);
  });

  it('looks the contact and the settings up in the command application, so tenants never see each other', async () => {
    const command = { ...register(), application: 'app-key-2' };
    const { decision, calls, settingsCalls } = run(command, { stored: [storedRecipient()], settings: API_MODE });

    expect(await decision).toMatchObject({ kind: 'accepted', created: true });
    expect(calls[0]).toMatchObject({ application: 'app-key-2', recipientId: EMAIL_ID });
    expect(settingsCalls).toEqual([{ application: 'app-key-2' }]);
  });

  describe('the limit of contacts per user', () => {
    const limited: ApplicationSettings = { userRegistration: 'sdk', userDataFields: [], channelLimits: { contactsPerUser: 2 } };
    const contactOf = (userId: string, index: number, overrides = {}) =>
      storedRecipient({ recipientId: `email-u${index}`, address: `u${index}@domain.example`, userId, ...overrides });

    it('a contact that would be one more than the limit (pending ones counted) is refused with 409, and nothing is saved', async () => {
      const pending = pendingRecipient('token-9', undefined, { recipientId: 'email-p', address: 'p@domain.example', userId: 'U123456789' });
      const { decision, calls } = run(register(), { stored: [contactOf('U123456789', 1), pending], settings: limited });

      expect(await decision).toMatchObject({ kind: 'rejected', status: 409, code: 'CHANNEL_LIMIT_REACHED' });
      expect(calls.map((c) => c.method)).toEqual(['findForUpdate', 'mayAttach']);
    });

    it("deactivated contacts are not counted, and the user's own contact registered again is not counted twice", async () => {
      const deactivated = contactOf('U123456789', 2, { status: 'inactive' });
      expect(await run(register(), { stored: [contactOf('U123456789', 1), deactivated], settings: limited }).decision).toMatchObject({ kind: 'accepted' });
      const own = storedRecipient({ userId: 'U123456789' });
      const again = run(register({ language: 'de' }), { stored: [own, contactOf('U123456789', 1), contactOf('U123456789', 3)], settings: limited });
      expect(await again.decision).toMatchObject({ kind: 'accepted' });
      expect(again.calls.map((c) => c.method)).toEqual(['findForUpdate', 'save']);
    });
  });
});
