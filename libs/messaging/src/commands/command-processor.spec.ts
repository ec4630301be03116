import {
  COMMAND_ACCEPTED,
  COMMAND_REJECTED,
  ERASE_DEVICE_USER,
  Envelope,
  OVERRIDE_USER_DATA,
  REGISTER_RECIPIENT,
  UPDATE_USER,
  USER_RENAMED,
  decodeMessage,
  forwardedCommand,
  newEnvelope,
} from '@omni/contracts';
import { SubjectErasureInProgress } from '@omni/personal-data';
import { CommandProcessor, outcomeOf } from './command-processor';
import { Decision, otherAggregatesOf } from './decision';

/** A command as the profile service receives it: correlation id differs from its own id (a replay). */
const command: Envelope = newEnvelope({
  id: 'command-0001',
  correlationId: 'correlation-0001',
  type: UPDATE_USER,
  application: 'app-key-1',
  aggregateId: 'user-42',
  aggregateVersion: null,
  payload: { userName: 'Ada' },
});

const renamed = newEnvelope({
  type: USER_RENAMED,
  application: 'app-key-1',
  aggregateId: 'user-42',
  aggregateVersion: 4,
  correlationId: 'correlation-0001',
  causationId: 'command-0001',
  payload: { userName: 'Ada' },
});

describe('Decision', () => {
  it('accepted carries the aggregate type, version and events, and no extra fields unless given', () => {
    expect(Decision.accepted('user', 4, [renamed])).toEqual({
      kind: 'accepted',
      aggregateType: 'user',
      version: 4,
      events: [renamed],
    });
  });

  it('accepted carries created and result when given', () => {
    expect(Decision.accepted('user', 1, [], { created: true, result: { userID: 'user-42' } })).toEqual({
      kind: 'accepted',
      aggregateType: 'user',
      version: 1,
      events: [],
      created: true,
      result: { userID: 'user-42' },
    });
  });

  it("otherAggregatesOf names each other aggregate of the events once, at its last version, never the command's own", () => {
    const event = (aggregateId: string, aggregateVersion: number) => ({ ...renamed, aggregateId, aggregateVersion });
    expect(otherAggregatesOf('user', 'user-42', [event('user-42', 5), event('user-7', 2), event('user-7', 3), event('user-9', 1)])).toEqual([
      { aggregateType: 'user', aggregateId: 'user-7', version: 3 },
      { aggregateType: 'user', aggregateId: 'user-9', version: 1 },
    ]);
    expect(otherAggregatesOf('user', 'user-42', [renamed])).toEqual([]);
  });

  it('rejected carries status, code, message and fields', () => {
    const fields = [{ field: 'userName', message: 'userName must be a string' }];
    expect(Decision.rejected('user', 404, 'USER_NOT_FOUND', 'no such user', fields)).toEqual({
      kind: 'rejected',
      aggregateType: 'user',
      status: 404,
      code: 'USER_NOT_FOUND',
      message: 'no such user',
      fields,
    });
    expect(Decision.rejected('user', 409, 'CONFLICT', 'busy').fields).toBeUndefined();
  });
});

describe('outcomeOf', () => {
  describe('an accepted decision', () => {
    const decision = Decision.accepted('user', 4, [renamed], { created: false, result: { userID: 'user-42' } });

    it('becomes a command.accepted outcome at the decided aggregate version, about the command aggregate', () => {
      const outcome = outcomeOf(command, decision);

      expect(outcome).toMatchObject({
        type: COMMAND_ACCEPTED,
        schemaVersion: 1,
        application: 'app-key-1',
        aggregateId: 'user-42',
        aggregateVersion: 4,
      });
    });

    it('continues the command correlation and names the command as its cause', () => {
      const outcome = outcomeOf(command, decision);

      expect(outcome.correlationId).toBe('correlation-0001');
      expect(outcome.causationId).toBe('command-0001');
      expect(outcome.id).not.toBe(command.id);
    });

    it('tells which command it answers, the aggregate type, whether it created it, and the result', () => {
      expect(outcomeOf(command, decision).payload).toEqual({
        commandId: 'command-0001',
        commandType: UPDATE_USER,
        aggregateType: 'user',
        created: false,
        result: { userID: 'user-42' },
      });
      expect(outcomeOf(command, Decision.accepted('user', 1, [], { created: true })).payload).toMatchObject({
        created: true,
      });
    });

    it('is a message its consumers can decode', () => {
      const outcome = outcomeOf(command, decision);
      expect(decodeMessage(JSON.stringify(outcome))).toEqual(JSON.parse(JSON.stringify(outcome)));
    });

    it('names the other aggregates the command changed, and decodes with them', () => {
      const others = [{ aggregateType: 'device', aggregateId: 'device-0', version: 8 }];
      const outcome = outcomeOf(command, Decision.accepted('device', 1, [], { otherAggregates: others }));
      expect(outcome.payload).toMatchObject({ otherAggregates: others });
      expect(decodeMessage(JSON.stringify(outcome))).toEqual(JSON.parse(JSON.stringify(outcome)));
    });

    it('gets a fresh id each time (the outbox keys on it)', () => {
      expect(outcomeOf(command, decision).id).not.toBe(outcomeOf(command, decision).id);
    });
  });

  describe('a rejected decision', () => {
    const fields = [{ field: 'userName', message: 'userName must be shorter than or equal to 256 characters' }];
    const decision = Decision.rejected('user', 400, 'VALIDATION_FAILED', 'invalid payload', fields);

    it('becomes a command.rejected outcome with no aggregate version, continuing the command correlation', () => {
      const outcome = outcomeOf(command, decision);

      expect(outcome).toMatchObject({
        type: COMMAND_REJECTED,
        application: 'app-key-1',
        aggregateId: 'user-42',
        aggregateVersion: null,
        correlationId: 'correlation-0001',
        causationId: 'command-0001',
      });
    });

    it('carries status, code, message and fields for the HTTP error', () => {
      expect(outcomeOf(command, decision).payload).toEqual({
        commandId: 'command-0001',
        commandType: UPDATE_USER,
        aggregateType: 'user',
        status: 400,
        code: 'VALIDATION_FAILED',
        message: 'invalid payload',
        fields,
      });
    });

    it('is a message its consumers can decode', () => {
      const outcome = outcomeOf(command, decision);
      expect(decodeMessage(JSON.stringify(outcome))).toEqual(JSON.parse(JSON.stringify(outcome)));
    });
  });

  describe('of a forwarded command (ADR 0015)', () => {
    const contact = { aggregateType: 'recipient', aggregateId: 'email-1', version: 3 };
    const forwarded = forwardedCommand({ ...command, type: REGISTER_RECIPIENT, id: 'command-0002', requiresSettingsVersion: 5 }, {
      type: OVERRIDE_USER_DATA,
      aggregateId: 'user-42',
      payload: { userData: { firstName: 'Ada' }, credential: 'master' },
      forwardedFrom: { created: true, changed: contact },
    });

    it('keeps the id, correlation and settings version of the command it answers for, and names it as its cause', () => {
      expect(forwarded).toMatchObject({ id: 'command-0002', correlationId: 'correlation-0001', causationId: 'command-0002', requiresSettingsVersion: 5, aggregateId: 'user-42' });
      expect(decodeMessage(JSON.stringify(forwarded))).toEqual(JSON.parse(JSON.stringify(forwarded)));
    });

    it("answers with the client's command type and created, visible once the forwarder's change is visible too", () => {
      const outcome = outcomeOf(forwarded, Decision.accepted('user', 7, [], { created: false }));
      expect(outcome.payload).toEqual({
        commandId: 'command-0002',
        commandType: REGISTER_RECIPIENT,
        aggregateType: 'user',
        created: true,
        otherAggregates: [contact],
      });
      expect(outcome.aggregateVersion).toBe(7);
      expect(decodeMessage(JSON.stringify(outcome))).toEqual(JSON.parse(JSON.stringify(outcome)));
    });

    it("a refusal names the client's command type", () => {
      expect(outcomeOf(forwarded, Decision.rejected('user', 400, 'VALIDATION_FAILED', 'invalid user data')).payload).toMatchObject({
        commandId: 'command-0002',
        commandType: REGISTER_RECIPIENT,
      });
    });

    it('a malformed forwardedFrom makes the envelope undecodable', () => {
      for (const forwardedFrom of ['x', { created: true }, { commandType: 'a', changed: { aggregateType: 'b', aggregateId: 'c', version: 0 } }]) {
        expect(() => decodeMessage(JSON.stringify({ ...forwarded, forwardedFrom }))).toThrow(/forwardedFrom/);
      }
    });
  });

  it('a command that started its own correlation gives an outcome correlated to the command id', () => {
    const fresh = newEnvelope({
      type: UPDATE_USER,
      application: 'app-key-1',
      aggregateId: 'user-7',
      aggregateVersion: null,
      payload: {},
    });

    const outcome = outcomeOf(fresh, Decision.accepted('user', 1, [], { created: true }));

    expect(outcome.correlationId).toBe(fresh.id);
    expect(outcome.causationId).toBe(fresh.id);
  });
});

describe('CommandProcessor', () => {
  /** In-memory transaction, inbox and outbox: what the processor writes, and what a rollback keeps. */
  function processorWith(written: Envelope[], topics: string[] = []) {
    const claimed = new Set<string>();
    const tx = {
      run: async <T>(work: (em: never) => Promise<T>) => {
        const pending: Envelope[] = [];
        const claims: string[] = [];
        const result = await work({ pending, claims } as never);
        written.push(...pending);
        for (const id of claims) claimed.add(id);
        return result;
      },
      afterCommit: (effect: () => void) => effect(),
    };
    const inbox = { claim: async (em: { claims: string[] }, _consumer: string, id: string) => !claimed.has(id) && em.claims.push(id) > 0 };
    const outbox = {
      add: async (em: { pending: Envelope[] }, topic: string, ...envelopes: Envelope[]) => {
        em.pending.push(...envelopes);
        topics.push(...envelopes.map(() => topic));
      },
    };
    const relay = { wake: () => undefined };
    // Sealing has its own tests (libs/personal-data): here events pass as they are.
    const sealer = { seal: async (_em: unknown, events: Envelope[]) => events };
    return new CommandProcessor(tx as never, inbox as never, outbox as never, relay as never, 'profile.events', undefined, sealer as never);
  }

  it('answers 409 USER_ERASURE_IN_PROGRESS, and applies nothing, when a user named by the command is being erased', async () => {
    const written: Envelope[] = [];
    const processor = processorWith(written);
    const decision = await processor.process('profile-service', command as never, async () => {
      throw new SubjectErasureInProgress();
    });

    expect(decision).toMatchObject({ kind: 'rejected', status: 409, code: 'USER_ERASURE_IN_PROGRESS' });
    expect(written.map((message) => [message.type, (message.payload as { code?: string }).code])).toEqual([[COMMAND_REJECTED, 'USER_ERASURE_IN_PROGRESS']]);
    // A redelivery of the same command is a duplicate: answered once.
    expect(await processor.process('profile-service', command as never, async () => Decision.accepted('user', 1, []))).toBe('duplicate');
  });

  it("a forwarded decision writes its events and the forwarded command, and no outcome: the owner's answers", async () => {
    const written: Envelope[] = [];
    const topics: string[] = [];
    const toUser = forwardedCommand(command, { type: OVERRIDE_USER_DATA, aggregateId: 'user-7', payload: { userData: {}, credential: 'master' } });
    await processorWith(written, topics).process('device-service', command as never, async () => Decision.forwarded('profile.commands', toUser, [renamed]));

    expect(written.map((message, i) => [topics[i], message.type])).toEqual([
      ['profile.events', USER_RENAMED],
      ['profile.commands', OVERRIDE_USER_DATA],
    ]);
  });

  it("an accepted decision's commands for other services go to their topics, with its outcome", async () => {
    const written: Envelope[] = [];
    const topics: string[] = [];
    const part = newEnvelope({ type: ERASE_DEVICE_USER, application: 'app-key-1', aggregateId: 'user-42', aggregateVersion: null, payload: { credential: 'master' } });
    await processorWith(written, topics).process('profile-service', command as never, async () =>
      Decision.accepted('user', 0, [], { commands: [{ topic: 'device.commands', command: part }] }),
    );

    expect(written.map((message, i) => [topics[i], message.type])).toEqual([
      ['device.commands', ERASE_DEVICE_USER],
      ['command.outcomes', COMMAND_ACCEPTED],
    ]);
  });
});
