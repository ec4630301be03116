import { OVERRIDE_USER_DATA, REGISTER_RECIPIENT, UPDATE_RECIPIENT } from '@omni/contracts';
import { RecipientReads } from '@omni/read-model';
import { strictFake } from '@omni/testing';
import { CommandBus, CommandRequest, HttpAnswer } from '../commands/command-bus';
import { WriteOptions } from '../commands/request-headers';
import { ApiError } from '../errors/api-error';
import { RecipientChangesDto, UpdateRecipientDto } from './dto/recipient.dto';
import { RecipientCommands, USER_DATA_TIMEOUT } from './recipient-commands';

interface Sent {
  type: string;
  aggregateId: string;
  payload: unknown;
  respondAsync: boolean;
}

const ID = 'email-Zf_QxuYgvh6hXCsdC7ht2Z';
const SYNC: WriteOptions = { respondAsync: false };
const ASYNC: WriteOptions = { respondAsync: true };
const pending = (commandId: string): HttpAnswer => ({
  status: 202,
  body: { message: 'command accepted for processing', commandId, status: 'pending' },
  headers: { location: `/command/${commandId}`, 'x-correlation-id': commandId },
});

/**
 * RecipientCommands over a bus that records what it is sent and answers each command as `answers`
 * says (by type; 200 by default, or 202 for a respond-async command), and a read model holding
 * `contact` (undefined: no such contact; never read when `contact` is 'unread').
 */
function recipients(options: { contact?: { userId: string | null } | 'unread'; answers?: Partial<Record<string, HttpAnswer>> } = {}) {
  const sent: Sent[] = [];
  const bus = strictFake<CommandBus>('CommandBus', {
    execute: async (request: CommandRequest<never>): Promise<HttpAnswer> => {
      sent.push({ type: request.type, aggregateId: request.aggregateId, payload: request.payload, respondAsync: request.respondAsync });
      return options.answers?.[request.type] ?? (request.respondAsync ? pending(`${request.type}-id`) : { status: 200, body: { message: 'done' } });
    },
  });
  const readModel = strictFake<RecipientReads>(
    'RecipientReads',
    options.contact === 'unread' ? {} : { presentRecipientUser: async (_application: string, id: string) => (id === ID ? options.contact : undefined) },
  );
  return { sent, commands: new RecipientCommands(bus, 'email', readModel) };
}

describe('RecipientCommands.register and the user data of a contact with a user', () => {
  async function commandsOfRegister(body: Partial<RecipientChangesDto>, write = SYNC): Promise<Sent[]> {
    const { sent, commands } = recipients({ contact: 'unread' });
    await commands.register('app', 'ada@example.com', body as RecipientChangesDto, write);
    return sent;
  }

  it('sends the user data to the user first, then registers the contact without it', async () => {
    const sent = await commandsOfRegister({ userID: 'U1', userData: { firstName: 'Ada' } });
    expect(sent.map((command) => command.type)).toEqual([OVERRIDE_USER_DATA, REGISTER_RECIPIENT]);
    expect(sent[0]).toMatchObject({ aggregateId: 'U1', payload: { userData: { firstName: 'Ada' }, credential: 'master' } });
    expect(sent[1].payload).not.toHaveProperty('userData');
  });

  // Found by the gateway fuzzer: "userData": null (a nullable field) became user.override-user-data
  // with a null map, which the profile-service's contract refuses (dead-lettered as invalid-payload).
  it('sends no user override for "userData": null', async () => {
    const sent = await commandsOfRegister({ userID: 'U1', userData: null as never });
    expect(sent.map((command) => command.type)).toEqual([REGISTER_RECIPIENT]);
  });

  it('with Prefer: respond-async, awaits the user data and only the register is asynchronous (its 202 is the answer)', async () => {
    const { sent, commands } = recipients({ contact: 'unread' });
    const answer = await commands.register('app', 'ada@example.com', { userID: 'U1', userData: { firstName: 'Ada' } } as RecipientChangesDto, ASYNC);
    expect(sent.map(({ type, respondAsync }) => [type, respondAsync])).toEqual([
      [OVERRIDE_USER_DATA, false],
      [REGISTER_RECIPIENT, true],
    ]);
    expect(answer).toMatchObject({ status: 202, body: { message: 'subscription is being processed', commandId: `${REGISTER_RECIPIENT}-id` } });
  });

  it('a refused user data is the answer and the contact is never registered', async () => {
    const refused: HttpAnswer = { status: 400, body: { status: 400, code: 'VALIDATION_FAILED', message: 'invalid', fields: [{ field: 'userData.shoeSize', message: 'unknown' }] } };
    const { sent, commands } = recipients({ contact: 'unread', answers: { [OVERRIDE_USER_DATA]: refused } });
    const answer = await commands.register('app', 'ada@example.com', { userID: 'U1', userData: { shoeSize: 42 } } as RecipientChangesDto, ASYNC);
    expect(answer).toEqual(refused);
    expect(sent.map((command) => command.type)).toEqual([OVERRIDE_USER_DATA]);
  });

  it('a user data step that times out (202) is 504 USER_DATA_TIMEOUT and the contact is never registered', async () => {
    const { sent, commands } = recipients({ contact: 'unread', answers: { [OVERRIDE_USER_DATA]: pending('override-1') } });
    const answer = await commands.register('app', 'ada@example.com', { userID: 'U1', userData: { firstName: 'Ada' } } as RecipientChangesDto, SYNC);
    expect(answer).toMatchObject({ status: 504, body: { status: 504, code: USER_DATA_TIMEOUT }, headers: { 'x-correlation-id': 'override-1' } });
    expect(sent.map((command) => command.type)).toEqual([OVERRIDE_USER_DATA]);
  });
});

describe('RecipientCommands.update: the user data of a contact with a user is the user’s', () => {
  const update = (commands: RecipientCommands, body: Partial<UpdateRecipientDto>, write = SYNC) => commands.update('app', ID, body as UpdateRecipientDto, write);

  it("a contact of a user: the data goes to the contact's user (read from the read model), the update carries the rest", async () => {
    const { sent, commands } = recipients({ contact: { userId: 'U1' } });
    expect(await update(commands, { userData: { firstName: 'Ada' }, language: 'nl' })).toEqual({ status: 200, body: { message: 'done' } });
    expect(sent).toEqual([
      { type: OVERRIDE_USER_DATA, aggregateId: 'U1', payload: { userData: { firstName: 'Ada' }, credential: 'master' }, respondAsync: false },
      { type: UPDATE_RECIPIENT, aggregateId: ID, payload: { language: 'nl', credential: 'master' }, respondAsync: false },
    ]);
  });

  it('a userID in the body: the data goes to that user, whoever the contact belonged to', async () => {
    const { sent, commands } = recipients({ contact: { userId: 'U1' } });
    await update(commands, { userID: 'U2', userData: { firstName: 'Ada' } });
    expect(sent.map(({ type, aggregateId }) => [type, aggregateId])).toEqual([
      [OVERRIDE_USER_DATA, 'U2'],
      [UPDATE_RECIPIENT, ID],
    ]);
    expect(sent[1].payload).toEqual({ userID: 'U2', credential: 'master' });
  });

  it.each([
    ['an anonymous contact', { userId: null }, {}],
    ['a contact the body makes anonymous ("userID": null)', { userId: 'U1' }, { userID: null }],
  ])('%s keeps its own data', async (_name, contact, body) => {
    const { sent, commands } = recipients({ contact });
    await update(commands, { ...body, userData: { firstName: 'Ada' } });
    expect(sent).toEqual([{ type: UPDATE_RECIPIENT, aggregateId: ID, payload: { ...body, userData: { firstName: 'Ada' }, credential: 'master' }, respondAsync: false }]);
  });

  it('a contact the read model does not show (unknown, deactivated) is 404 and nothing is sent', async () => {
    const { sent, commands } = recipients({ contact: undefined });
    const error: unknown = await update(commands, { userID: 'U2', userData: { firstName: 'Ada' } }).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).getResponse()).toMatchObject({ status: 404, code: 'RECIPIENT_NOT_FOUND' });
    expect(sent).toEqual([]);
  });

  it('without user data, the read model is not read and the service decides (404 included)', async () => {
    const { sent, commands } = recipients({ contact: 'unread' });
    await update(commands, { language: 'nl', userData: null as never });
    expect(sent.map((command) => command.type)).toEqual([UPDATE_RECIPIENT]);
  });

  it("with Prefer: respond-async, the user data is awaited and the update's 202 carries the reference's message", async () => {
    const { sent, commands } = recipients({ contact: { userId: 'U1' } });
    const answer = await update(commands, { userData: { firstName: 'Ada' } }, ASYNC);
    expect(sent.map(({ type, respondAsync }) => [type, respondAsync])).toEqual([
      [OVERRIDE_USER_DATA, false],
      [UPDATE_RECIPIENT, true],
    ]);
    expect(answer).toMatchObject({
      status: 202,
      body: { message: 'email contact updated, pending validation', commandId: `${UPDATE_RECIPIENT}-id`, status: 'pending' },
      headers: { location: `/command/${UPDATE_RECIPIENT}-id` },
    });
  });

  it('a refused or timed-out user data step stops the update', async () => {
    const refused: HttpAnswer = { status: 400, body: { status: 400, code: 'VALIDATION_FAILED', message: 'invalid' } };
    for (const [override, status] of [
      [refused, 400],
      [pending('override-1'), 504],
    ] as const) {
      const { sent, commands } = recipients({ contact: { userId: 'U1' }, answers: { [OVERRIDE_USER_DATA]: override } });
      expect((await update(commands, { userData: { firstName: 'Ada' } }, ASYNC)).status).toBe(status);
      expect(sent.map((command) => command.type)).toEqual([OVERRIDE_USER_DATA]);
    }
  });
});
