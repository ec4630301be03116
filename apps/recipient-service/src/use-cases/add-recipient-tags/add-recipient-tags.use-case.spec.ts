import { ADD_RECIPIENT_TAGS } from '@omni/contracts';
import { Recipient } from '../../domain/recipient';
import { armed, erasedRecipient, pendingRecipient, recipientCommand, storedRecipient, strictRecipients } from '../strict-fakes';
import { AddRecipientTagsUseCase } from './add-recipient-tags.use-case';

function run(tags: string[], ...stored: Recipient[]) {
  const { repository, calls } = strictRecipients(...stored);
  const useCase = new AddRecipientTagsUseCase(repository);
  return { decision: armed((em) => useCase.execute(em, recipientCommand(ADD_RECIPIENT_TAGS, { tags }))), calls };
}

describe('AddRecipientTagsUseCase', () => {
  it('unknown, deactivated or erased contacts are 404 RECIPIENT_NOT_FOUND', async () => {
    expect(await run(['a']).decision).toMatchObject({ kind: 'rejected', status: 404, code: 'RECIPIENT_NOT_FOUND' });
    expect(await run(['a'], storedRecipient({ status: 'inactive' })).decision).toMatchObject({ kind: 'rejected', status: 404 });
    expect(await run(['a'], erasedRecipient()).decision).toMatchObject({ kind: 'rejected', status: 404, code: 'RECIPIENT_NOT_FOUND' });
  });

  it('adds new tags after the ones it has, once each: recipient.tags-changed with the full list, saved', async () => {
    const { decision, calls } = run(['b', 'a', 'c'], storedRecipient({ tags: ['a'] }));

    const result = await decision;

    if (result.kind !== 'accepted') throw new Error('not accepted');
    expect(result.events.map((e) => [e.type, e.aggregateVersion, e.payload])).toEqual([['recipient.tags-changed', 4, { tags: ['a', 'b', 'c'] }]]);
    expect(calls.map((c) => c.method)).toEqual(['findForUpdate', 'save']);
  });

  it('tags it has already: accepted, no events, not saved', async () => {
    const { decision, calls } = run(['a'], storedRecipient({ tags: ['a'] }));

    expect(await decision).toEqual({ kind: 'accepted', aggregateType: 'recipient', version: 3, events: [] });
    expect(calls.map((c) => c.method)).toEqual(['findForUpdate']);
  });

  it('a contact pending verification can be tagged', async () => {
    expect(await run(['a'], pendingRecipient()).decision).toMatchObject({ kind: 'accepted', version: 4 });
  });
});
