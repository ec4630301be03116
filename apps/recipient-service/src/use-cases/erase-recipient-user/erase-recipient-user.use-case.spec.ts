import { ERASE_RECIPIENT_USER, RECIPIENT_ERASED } from '@omni/contracts';
import { APP, EMAIL_ID, PHONE, PHONE_ID, armed, erasedRecipient, pendingRecipient, recipientCommand, storedRecipient, strictRecipients } from '../strict-fakes';
import { EraseRecipientUserUseCase } from './erase-recipient-user.use-case';

const eraseU1 = () => recipientCommand(ERASE_RECIPIENT_USER, { credential: 'master' }, 'U1');

describe('EraseRecipientUserUseCase', () => {
  it("every contact of the user, whatever its status, is erased with its own recipient.erased; accepted as the user's, version 0", async () => {
    const { repository, calls } = strictRecipients(
      storedRecipient({ userId: 'U1', userName: 'Ada', userData: { firstName: 'Ada' }, tags: ['vip'], verification: 'verified', version: 6 }),
      pendingRecipient('token-1', undefined, { recipientId: PHONE_ID, channel: 'sms', address: PHONE, userId: 'U1' }),
      storedRecipient({ recipientId: 'email-other', address: 'bob@domain.com', userId: 'U2' }),
    );
    const command = eraseU1();

    const decision = await armed((em) => new EraseRecipientUserUseCase(repository).execute(em, command));

    expect(decision).toMatchObject({ kind: 'accepted', aggregateType: 'user', version: 0 });
    if (decision.kind !== 'accepted') throw new Error('not accepted');
    const expectedOrder = [EMAIL_ID, PHONE_ID].sort();
    expect(decision.events.map((event) => [event.type, event.aggregateId, event.payload])).toEqual(
      expectedOrder.map((id) => [RECIPIENT_ERASED, id, { status: 'erased' }]),
    );
    for (const event of decision.events) {
      expect(event).toMatchObject({ application: APP, correlationId: command.correlationId, causationId: command.id });
      expect(event).not.toHaveProperty('subject');
    }
    const saved = calls.flatMap((call) => (call.method === 'save' ? [call.saved] : []));
    expect(saved.map((state) => [state.recipientId, state.version])).toEqual(expectedOrder.map((id) => [id, id === EMAIL_ID ? 7 : 4]));
    for (const state of saved) {
      expect(state).toMatchObject({ address: null, userId: null, userName: null, properties: {}, tags: [], userData: {}, status: 'erased', verification: 'none', token: null });
    }
  });

  it('a user with no contacts (or erased before: the same command again) is accepted with no events and nothing saved', async () => {
    const { repository, calls } = strictRecipients(erasedRecipient(), storedRecipient({ userId: 'U2' }));

    const decision = await armed((em) => new EraseRecipientUserUseCase(repository).execute(em, eraseU1()));

    expect(decision).toEqual({ kind: 'accepted', aggregateType: 'user', version: 0, events: [] });
    expect(calls.map((call) => call.method)).toEqual(['findOfUserForUpdate']);
  });
});
