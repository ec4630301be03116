import { DEACTIVATE_RECIPIENT } from '@omni/contracts';
import { Recipient } from '../../domain/recipient';
import { armed, erasedRecipient, pendingRecipient, recipientCommand, storedRecipient, strictRecipients } from '../strict-fakes';
import { DeactivateRecipientUseCase } from './deactivate-recipient.use-case';

function run(...stored: Recipient[]) {
  const { repository, calls } = strictRecipients(...stored);
  const useCase = new DeactivateRecipientUseCase(repository);
  return { decision: armed((em) => useCase.execute(em, recipientCommand(DEACTIVATE_RECIPIENT, { credential: 'master' }))), calls };
}

describe('DeactivateRecipientUseCase', () => {
  it('an unknown contact is 404 RECIPIENT_NOT_FOUND', async () => {
    const { decision, calls } = run();

    expect(await decision).toMatchObject({ kind: 'rejected', status: 404, code: 'RECIPIENT_NOT_FOUND' });
    expect(calls.map((c) => c.method)).toEqual(['findForUpdate']);
  });

  it('an erased contact is 404 RECIPIENT_NOT_FOUND as well, nothing saved', async () => {
    const { decision, calls } = run(erasedRecipient());

    expect(await decision).toMatchObject({ kind: 'rejected', status: 404, code: 'RECIPIENT_NOT_FOUND' });
    expect(calls.map((c) => c.method)).toEqual(['findForUpdate']);
  });

  it('an active contact is deactivated: recipient.deactivated with its user, saved inactive', async () => {
    const { decision, calls } = run(storedRecipient({ userId: 'U1' }));

    const result = await decision;

    expect(result).toMatchObject({ kind: 'accepted', version: 4 });
    if (result.kind !== 'accepted') throw new Error('not accepted');
    expect(result.events.map((e) => [e.type, e.payload])).toEqual([['recipient.deactivated', { userID: 'U1' }]]);
    const saved = calls[1];
    if (saved.method !== 'save') throw new Error('second call is not save');
    expect(saved.saved).toMatchObject({ status: 'inactive', userId: 'U1' });
  });

  it('a pending contact is deactivated and its token forgotten', async () => {
    const { decision, calls } = run(pendingRecipient());

    expect(await decision).toMatchObject({ kind: 'accepted', version: 4 });
    const saved = calls[1];
    if (saved.method !== 'save') throw new Error('second call is not save');
    expect(saved.saved).toMatchObject({ status: 'inactive', verification: 'none', token: null });
  });

  it('a deactivated contact deactivated again: accepted (DELETE is idempotent), no events, not saved', async () => {
    const { decision, calls } = run(storedRecipient({ status: 'inactive' }));

    expect(await decision).toEqual({ kind: 'accepted', aggregateType: 'recipient', version: 3, events: [] });
    expect(calls.map((c) => c.method)).toEqual(['findForUpdate']);
  });
});
