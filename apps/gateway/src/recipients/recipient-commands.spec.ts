import { OVERRIDE_USER_DATA, REGISTER_RECIPIENT } from '@omni/contracts';
import { strictFake } from '@omni/testing';
import { CommandBus, CommandRequest, HttpAnswer } from '../commands/command-bus';
import { RecipientChangesDto } from './dto/recipient.dto';
import { RecipientCommands } from './recipient-commands';

/** The commands a registration sends, in order (each answered as accepted and visible). */
async function commandsOfRegister(body: Partial<RecipientChangesDto>): Promise<{ type: string; payload: unknown }[]> {
  const sent: { type: string; payload: unknown }[] = [];
  const bus = strictFake<CommandBus>('CommandBus', {
    execute: async (request: CommandRequest<never>): Promise<HttpAnswer> => {
      sent.push({ type: request.type, payload: request.payload });
      return { status: 200, body: {} };
    },
  });
  await new RecipientCommands(bus, 'email').register('app', 'ada@example.com', body as RecipientChangesDto, { respondAsync: false });
  return sent;
}

describe('RecipientCommands.register and the user data of a contact with a user', () => {
  it('sends the user data to the user first, then registers the contact without it', async () => {
    const sent = await commandsOfRegister({ userID: 'U1', userData: { firstName: 'Ada' } });
    expect(sent.map((command) => command.type)).toEqual([OVERRIDE_USER_DATA, REGISTER_RECIPIENT]);
    expect(sent[0].payload).toEqual({ userData: { firstName: 'Ada' }, credential: 'master' });
    expect(sent[1].payload).not.toHaveProperty('userData');
  });

  // Found by the gateway fuzzer: "userData": null (a nullable field) became user.override-user-data
  // with a null map, which the profile-service's contract refuses (dead-lettered as invalid-payload).
  it('sends no user override for "userData": null', async () => {
    const sent = await commandsOfRegister({ userID: 'U1', userData: null as never });
    expect(sent.map((command) => command.type)).toEqual([REGISTER_RECIPIENT]);
  });
});
