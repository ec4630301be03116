import { ApplicationSettings, Message, OVERRIDE_USER_DATA, Topics, UPDATE_RECIPIENT, UpdateRecipientPayload } from '@omni/contracts';
import { Recipient } from '../../domain/recipient';
import {
  API_MODE,
  EMAIL,
  EMAIL_ID,
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
import { UpdateRecipientUseCase } from './update-recipient.use-case';

function update(payload: UpdateRecipientPayload): Message<typeof UPDATE_RECIPIENT> {
  return recipientCommand(UPDATE_RECIPIENT, payload);
}

function run(command: Message<typeof UPDATE_RECIPIENT>, options: { stored?: Recipient[]; settings?: ApplicationSettings } = {}) {
  const { repository, calls } = strictRecipients(...(options.stored ?? []));
  const { store } = strictSettings(options.settings);
  const { tokens, issued } = fakeTokens();
  const useCase = new UpdateRecipientUseCase(repository, store, fixedClock(), tokens);
  return { decision: armed((manager) => useCase.execute(manager, command)), calls, issued };
}

describe('UpdateRecipientUseCase', () => {
  it('an unknown contact is 404 RECIPIENT_NOT_FOUND, nothing saved', async () => {
    const { decision, calls } = run(update({ language: 'nl' }));

    expect(await decision).toEqual({ kind: 'rejected', aggregateType: 'recipient', status: 404, code: 'RECIPIENT_NOT_FOUND', message: 'recipient not found' });
    expect(calls).toEqual([{ method: 'findForUpdate', em, application: 'app-key-1', recipientId: EMAIL_ID }]);
  });

  it('an erased contact is 404 as well, nothing saved (only register starts it anew)', async () => {
    const { decision, calls } = run(update({ language: 'nl', userID: 'U1' }), { stored: [erasedRecipient()] });

    expect(await decision).toMatchObject({ kind: 'rejected', status: 404, code: 'RECIPIENT_NOT_FOUND' });
    expect(calls.map((c) => c.method)).toEqual(['findForUpdate']);
  });

  it('a deactivated contact is 404 as well (only register brings it back)', async () => {
    const { decision, calls } = run(update({ language: 'nl' }), { stored: [storedRecipient({ status: 'inactive' })] });

    expect(await decision).toMatchObject({ kind: 'rejected', status: 404 });
    expect(calls.map((c) => c.method)).toEqual(['findForUpdate']);
  });

  it('changes what changed, one event each, saved once; not a creation', async () => {
    const { decision, calls } = run(update({ language: 'nl', region: 'be', userID: 'U2', tags: ['vip'] }), { stored: [storedRecipient({ userId: 'U1' })] });

    const result = await decision;

    expect(result).toMatchObject({ kind: 'accepted', version: 6 });
    expect(result).not.toHaveProperty('created');
    if (result.kind !== 'accepted') throw new Error('not accepted');
    expect(result.events.map((e) => [e.type, e.payload])).toEqual([
      ['recipient.updated', { properties: { language: 'nl', region: 'BE' } }],
      [
        'recipient.user-assigned',
        {
          userID: 'U2',
          userName: null,
          previousUserID: 'U1',
          // The whole contact after the changes before it, sealed for U2.
          state: {
            channel: 'email',
            address: EMAIL,
            properties: { language: 'nl', region: 'BE' },
            tags: [],
            userData: {},
            status: 'active',
            verification: 'none',
            createdAt: STORED_REGISTERED_AT.toISOString(),
          },
        },
      ],
      ['recipient.tags-changed', { tags: ['vip'] }],
    ]);
    expect(calls.map((c) => c.method)).toEqual(['findForUpdate', 'mayAttach', 'save']);
  });

  it('nothing to change: accepted at the same version, no events, not saved', async () => {
    const { decision, calls } = run(update({ language: 'en' }), { stored: [storedRecipient()] });

    expect(await decision).toEqual({ kind: 'accepted', aggregateType: 'recipient', version: 3, events: [] });
    expect(calls.map((c) => c.method)).toEqual(['findForUpdate']);
  });

  it("user data of a contact with a user goes to that user (or to the one the command names), answering for the command once the contact's version is visible too", async () => {
    for (const [userID, owner] of [[undefined, 'U1'], ['U2', 'U2']] as const) {
      const command = update({ userID, userData: { firstName: 'Jo' }, credential: 'master' });
      const { decision } = run(command, { stored: [storedRecipient({ userId: 'U1' })], settings: WITH_FIELDS });

      const result = await decision;

      if (result.kind !== 'forwarded') throw new Error(`not forwarded: ${result.kind}`);
      expect(result.events.map((event) => event.type)).not.toContain('recipient.user-data-changed');
      expect(result.to.topic).toBe(Topics.profileCommands);
      expect(result.to.command).toMatchObject({
        id: command.id,
        type: OVERRIDE_USER_DATA,
        aggregateId: owner,
        forwardedFrom: { commandType: UPDATE_RECIPIENT, changed: { aggregateType: 'recipient', aggregateId: EMAIL_ID } },
        payload: { userData: { firstName: 'Jo' }, credential: 'master' },
      });
    }
  });

  it('user data of a contact made anonymous by the same command ("userID": null) stays the contact\'s', async () => {
    const { decision } = run(update({ userID: null, userData: { firstName: 'Jo' }, credential: 'master' }), { stored: [storedRecipient({ userId: 'U1' })], settings: WITH_FIELDS });

    const result = await decision;

    if (result.kind !== 'accepted') throw new Error(`not accepted: ${result.kind}`);
    expect(result.events.map((event) => event.type)).toContain('recipient.user-data-changed');
  });

  it("user data outside the application's fields is 400 naming userData.<key>", async () => {
    const { decision, calls } = run(update({ userData: { gender: 'Unknown' } }), { stored: [storedRecipient()], settings: WITH_FIELDS });

    expect(await decision).toMatchObject({ kind: 'rejected', status: 400, code: 'VALIDATION_FAILED', fields: [{ field: 'userData.gender' }] });
    expect(calls.map((c) => c.method)).toEqual(['findForUpdate']);
  });

  it('in API registration mode an SDK command may not move the contact to a user: 403', async () => {
    const { decision } = run(update({ userID: 'U2', credential: 'sdk' }), { stored: [storedRecipient()], settings: API_MODE });

    expect(await decision).toMatchObject({ kind: 'rejected', status: 403, code: 'USER_REGISTRATION_RESTRICTED' });
  });

  it('a pending contact can be updated, and verify asks again with a new token', async () => {
    const { decision, issued } = run(update({ language: 'nl', verify: true }), { stored: [pendingRecipient('old')] });

    const result = await decision;

    if (result.kind !== 'accepted') throw new Error('not accepted');
    expect(result.events.map((e) => e.type)).toEqual(['recipient.updated', 'recipient.verification-requested']);
    expect(result.events[1].payload).toMatchObject({ token: issued[0].token });
  });

  it('verify on an active contact issues nothing (it stays active)', async () => {
    const { decision, issued } = run(update({ verify: true }), { stored: [storedRecipient()] });

    expect(await decision).toMatchObject({ kind: 'accepted', events: [] });
    expect(issued).toEqual([]);
  });
});
