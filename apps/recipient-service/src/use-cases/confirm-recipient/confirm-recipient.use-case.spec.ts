import { CONFIRM_RECIPIENT } from '@omni/contracts';
import { Recipient } from '../../domain/recipient';
import { NOW, armed, erasedRecipient, fakeTokens, fixedClock, pendingRecipient, recipientCommand, storedRecipient, strictRecipients } from '../strict-fakes';
import { ConfirmRecipientUseCase } from './confirm-recipient.use-case';

function run(token: string, options: { stored?: Recipient[]; at?: Date } = {}) {
  const { repository, calls } = strictRecipients(...(options.stored ?? []));
  const { tokens } = fakeTokens();
  const useCase = new ConfirmRecipientUseCase(repository, fixedClock(options.at), tokens);
  return { decision: armed((em) => useCase.execute(em, recipientCommand(CONFIRM_RECIPIENT, { token }))), calls };
}

const INVALID_TOKEN = {
  kind: 'rejected',
  aggregateType: 'recipient',
  status: 400,
  code: 'INVALID_TOKEN',
  message: 'the verification token is invalid or has expired',
  fields: [{ field: 'token', message: 'token is invalid or has expired' }],
};

describe('ConfirmRecipientUseCase', () => {
  it('the right, unexpired token verifies the pending contact: recipient.verified, saved active and verified', async () => {
    const { decision, calls } = run('token-1', { stored: [pendingRecipient('token-1')] });

    const result = await decision;

    expect(result).toMatchObject({ kind: 'accepted', version: 4 });
    if (result.kind !== 'accepted') throw new Error('not accepted');
    expect(result.events.map((e) => e.type)).toEqual(['recipient.verified']);
    const saved = calls[1];
    if (saved.method !== 'save') throw new Error('second call is not save');
    expect(saved.saved).toMatchObject({ status: 'active', verification: 'verified', token: null });
  });

  it('a wrong token is 400 INVALID_TOKEN, nothing saved', async () => {
    const { decision, calls } = run('token-2', { stored: [pendingRecipient('token-1')] });

    expect(await decision).toEqual(INVALID_TOKEN);
    expect(calls.map((c) => c.method)).toEqual(['findForUpdate']);
  });

  it('an expired token is 400 INVALID_TOKEN', async () => {
    const expiresAt = new Date(NOW.getTime() - 1);
    const { decision } = run('token-1', { stored: [pendingRecipient('token-1', expiresAt)] });

    expect(await decision).toEqual(INVALID_TOKEN);
  });

  it('a contact already verified (the token was used) is 400 INVALID_TOKEN', async () => {
    const { decision } = run('token-1', { stored: [storedRecipient({ verification: 'verified' })] });

    expect(await decision).toEqual(INVALID_TOKEN);
  });

  it('an unknown, deactivated or erased contact is 404 RECIPIENT_NOT_FOUND', async () => {
    expect(await run('token-1').decision).toMatchObject({ kind: 'rejected', status: 404, code: 'RECIPIENT_NOT_FOUND' });
    expect(await run('token-1', { stored: [storedRecipient({ status: 'inactive' })] }).decision).toMatchObject({ status: 404 });
    expect(await run('token-1', { stored: [erasedRecipient()] }).decision).toMatchObject({ status: 404, code: 'RECIPIENT_NOT_FOUND' });
  });
});
