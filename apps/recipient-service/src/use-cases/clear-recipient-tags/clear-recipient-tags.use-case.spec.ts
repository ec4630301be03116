import { CLEAR_RECIPIENT_TAGS } from '@omni/contracts';
import { Recipient } from '../../domain/recipient';
import { armed, erasedRecipient, recipientCommand, storedRecipient, strictRecipients } from '../strict-fakes';
import { ClearRecipientTagsUseCase } from './clear-recipient-tags.use-case';

function run(...stored: Recipient[]) {
  const { repository, calls } = strictRecipients(...stored);
  const useCase = new ClearRecipientTagsUseCase(repository);
  return { decision: armed((em) => useCase.execute(em, recipientCommand(CLEAR_RECIPIENT_TAGS, {}))), calls };
}

describe('ClearRecipientTagsUseCase', () => {
  it('unknown, deactivated or erased contacts are 404 RECIPIENT_NOT_FOUND', async () => {
    expect(await run().decision).toMatchObject({ kind: 'rejected', status: 404, code: 'RECIPIENT_NOT_FOUND' });
    expect(await run(storedRecipient({ status: 'inactive', tags: ['a'] })).decision).toMatchObject({ kind: 'rejected', status: 404 });
    expect(await run(erasedRecipient()).decision).toMatchObject({ kind: 'rejected', status: 404, code: 'RECIPIENT_NOT_FOUND' });
  });

  it('removes every tag: recipient.tags-changed with an empty list, saved', async () => {
    const { decision, calls } = run(storedRecipient({ tags: ['a', 'b'] }));

    const result = await decision;

    if (result.kind !== 'accepted') throw new Error('not accepted');
    expect(result.events.map((e) => [e.type, e.payload])).toEqual([['recipient.tags-changed', { tags: [] }]]);
    expect(calls.map((c) => c.method)).toEqual(['findForUpdate', 'save']);
  });

  it('no tags to clear: accepted, no events, not saved', async () => {
    const { decision, calls } = run(storedRecipient());

    expect(await decision).toMatchObject({ kind: 'accepted', version: 3, events: [] });
    expect(calls.map((c) => c.method)).toEqual(['findForUpdate']);
  });
});
