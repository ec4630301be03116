import { REMOVE_RECIPIENT_TAGS } from '@omni/contracts';
import { Recipient } from '../../domain/recipient';
import { armed, erasedRecipient, recipientCommand, storedRecipient, strictRecipients } from '../strict-fakes';
import { RemoveRecipientTagsUseCase } from './remove-recipient-tags.use-case';

function run(tags: string[], ...stored: Recipient[]) {
  const { repository, calls } = strictRecipients(...stored);
  const useCase = new RemoveRecipientTagsUseCase(repository);
  return { decision: armed((em) => useCase.execute(em, recipientCommand(REMOVE_RECIPIENT_TAGS, { tags }))), calls };
}

describe('RemoveRecipientTagsUseCase', () => {
  it('unknown, deactivated or erased contacts are 404 RECIPIENT_NOT_FOUND', async () => {
    expect(await run(['a']).decision).toMatchObject({ kind: 'rejected', status: 404, code: 'RECIPIENT_NOT_FOUND' });
    expect(await run(['a'], storedRecipient({ status: 'inactive', tags: ['a'] })).decision).toMatchObject({ kind: 'rejected', status: 404 });
    expect(await run(['a'], erasedRecipient()).decision).toMatchObject({ kind: 'rejected', status: 404, code: 'RECIPIENT_NOT_FOUND' });
  });

  it('removes the tags it has, ignores the others: recipient.tags-changed with what is left, saved', async () => {
    const { decision, calls } = run(['b', 'x'], storedRecipient({ tags: ['a', 'b', 'c'] }));

    const result = await decision;

    if (result.kind !== 'accepted') throw new Error('not accepted');
    expect(result.events.map((e) => e.payload)).toEqual([{ tags: ['a', 'c'] }]);
    expect(calls.map((c) => c.method)).toEqual(['findForUpdate', 'save']);
  });

  it('none of the tags present: accepted, no events, not saved', async () => {
    const { decision, calls } = run(['x'], storedRecipient({ tags: ['a'] }));

    expect(await decision).toMatchObject({ kind: 'accepted', version: 3, events: [] });
    expect(calls.map((c) => c.method)).toEqual(['findForUpdate']);
  });
});
