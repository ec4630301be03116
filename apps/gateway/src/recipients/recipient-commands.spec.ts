import { REGISTER_RECIPIENT, UPDATE_RECIPIENT } from '@omni/contracts';
import { strictFake } from '@omni/testing';
import { CommandBus, CommandRequest, HttpAnswer } from '../commands/command-bus';
import { WriteOptions } from '../commands/request-headers';
import { RecipientChangesDto, UpdateRecipientDto } from './dto/recipient.dto';
import { RecipientCommands } from './recipient-commands';

interface Sent {
  type: string;
  aggregateId: string;
  payload: unknown;
  respondAsync: boolean;
}

const ID = 'email-Zf_QxuYgvh6hXCsdC7ht2Z';
const SYNC: WriteOptions = { respondAsync: false };
const ASYNC: WriteOptions = { respondAsync: true };

/** RecipientCommands over a bus that records what it is sent: 200, or 202 for a respond-async command. */
function recipients() {
  const sent: Sent[] = [];
  const bus = strictFake<CommandBus>('CommandBus', {
    execute: async (request: CommandRequest<never>): Promise<HttpAnswer> => {
      sent.push({ type: request.type, aggregateId: request.aggregateId, payload: request.payload, respondAsync: request.respondAsync });
      if (!request.respondAsync) return { status: 200, body: { message: 'done' } };
      const commandId = `${request.type}-id`;
      return { status: 202, body: { message: 'command accepted for processing', commandId, status: 'pending' }, headers: { location: `/command/${commandId}` } };
    },
  });
  return { sent, commands: new RecipientCommands(bus, 'email') };
}

// One request, one command (ADR 0015): whose the user data is, the recipient-service decides.
describe('RecipientCommands: the user data of a contact travels with its one command', () => {
  it('register sends one command with the user data, and honours Prefer: respond-async', async () => {
    const { sent, commands } = recipients();
    const answer = await commands.register('app', 'ada@example.com', { userID: 'U1', userData: { firstName: 'Ada' } } as RecipientChangesDto, ASYNC);
    expect(sent).toEqual([
      {
        type: REGISTER_RECIPIENT,
        aggregateId: expect.stringMatching(/^email-/),
        payload: expect.objectContaining({ userID: 'U1', userData: { firstName: 'Ada' }, credential: 'master' }),
        respondAsync: true,
      },
    ]);
    expect(answer).toMatchObject({ status: 202, body: { message: 'subscription is being processed', commandId: `${REGISTER_RECIPIENT}-id` } });
  });

  it("update sends one command with the user data, and its 202 carries the reference's message", async () => {
    const { sent, commands } = recipients();
    const answer = await commands.update('app', ID, { userData: { firstName: 'Ada' }, language: 'nl' } as UpdateRecipientDto, ASYNC);
    expect(sent).toEqual([{ type: UPDATE_RECIPIENT, aggregateId: ID, payload: { userData: { firstName: 'Ada' }, language: 'nl', credential: 'master' }, respondAsync: true }]);
    expect(answer).toMatchObject({ status: 202, body: { message: 'email contact updated, pending validation', commandId: `${UPDATE_RECIPIENT}-id` } });
  });

  it('absent fields stay absent in the command', async () => {
    const { sent, commands } = recipients();
    await commands.update('app', ID, { language: 'nl' } as UpdateRecipientDto, SYNC);
    expect(sent[0].payload).toEqual({ language: 'nl', credential: 'master' });
  });
});
