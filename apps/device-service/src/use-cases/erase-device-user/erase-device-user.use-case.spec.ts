import { DEVICE_USER_ERASED, ERASE_DEVICE_USER } from '@omni/contracts';
import { APP, armed, deviceCommand, storedDevice, strictDevices } from '../strict-fakes';
import { ERASE_ROUNDS_MAX, EraseDeviceUserUseCase } from './erase-device-user.use-case';

const eraseU1 = () => deviceCommand(ERASE_DEVICE_USER, { credential: 'master' }, 'U1');

describe('EraseDeviceUserUseCase', () => {
  it("every device of the user, active or not, becomes anonymous with its own device.user-erased; accepted as the user's, version 0", async () => {
    const { repository, calls } = strictDevices(
      storedDevice({ deviceId: 'device-b', userId: 'U1', userName: 'Ada', userData: { firstName: 'Ada' }, version: 7 }),
      storedDevice({ deviceId: 'device-a', userId: 'U1', userName: 'Ada', status: 'inactive', version: 2 }),
      storedDevice({ deviceId: 'device-other', userId: 'U2', userName: 'Bob' }),
      storedDevice({ deviceId: 'device-anon' }),
    );
    const command = eraseU1();

    const decision = await armed((em) => new EraseDeviceUserUseCase(repository).execute(em, command));

    expect(decision).toMatchObject({ kind: 'accepted', aggregateType: 'user', version: 0 });
    if (decision.kind !== 'accepted') throw new Error('not accepted');
    expect(decision.events.map((event) => [event.type, event.aggregateId, event.aggregateVersion, event.payload])).toEqual([
      [DEVICE_USER_ERASED, 'device-a', 3, { userID: null }],
      [DEVICE_USER_ERASED, 'device-b', 8, { userID: null }],
    ]);
    for (const event of decision.events) {
      expect(event).toMatchObject({ application: APP, correlationId: command.correlationId, causationId: command.id });
      expect(event).not.toHaveProperty('subject');
    }
    expect(calls.map((call) => call.method)).toEqual(['findOfUserForUpdate', 'save', 'save', 'userHasDevices']);
    expect(calls.filter((call) => call.method === 'save').map((call) => call.saved)).toEqual([
      expect.objectContaining({ deviceId: 'device-a', userId: null, userName: null, status: 'inactive', version: 3 }),
      expect.objectContaining({ deviceId: 'device-b', userId: null, userName: null, userData: {}, status: 'active', version: 8 }),
    ]);
  });

  it('a user with no devices (or erased before: the same command again) is accepted with no events and nothing saved', async () => {
    const { repository, calls } = strictDevices(storedDevice({ userId: 'U2' }));

    const decision = await armed((em) => new EraseDeviceUserUseCase(repository).execute(em, eraseU1()));

    expect(decision).toEqual({ kind: 'accepted', aggregateType: 'user', version: 0, events: [] });
    expect(calls.map((call) => call.method)).toEqual(['findOfUserForUpdate', 'userHasDevices']);
  });

  it("a device moved to the user while the lock was awaited (a snapshot the first round could not see) is erased in the next round", async () => {
    const { repository, calls, put, whileLocking } = strictDevices(storedDevice({ deviceId: 'device-old', userId: 'U1', userName: 'Ada' }));
    // While the first round waited for the row lock, a registration moved device-old's user to device-new.
    whileLocking.push(() => put(storedDevice({ deviceId: 'device-new', userId: 'U1', userName: 'Ada', version: 1 })));

    const decision = await armed((em) => new EraseDeviceUserUseCase(repository).execute(em, eraseU1()));

    if (decision.kind !== 'accepted') throw new Error('not accepted');
    expect(decision.events.map((event) => [event.aggregateId, event.aggregateVersion])).toEqual([
      ['device-old', 4],
      ['device-new', 2],
    ]);
    expect(calls.map((call) => call.method)).toEqual(['findOfUserForUpdate', 'save', 'userHasDevices', 'findOfUserForUpdate', 'save', 'userHasDevices']);
  });

  it(`devices that keep moving to the user for ${ERASE_ROUNDS_MAX} rounds: a retryable serialization failure (the transaction rolls back)`, async () => {
    const { repository, put, whileLocking } = strictDevices();
    for (let round = 0; round < ERASE_ROUNDS_MAX; round++) {
      whileLocking.push(() => put(storedDevice({ deviceId: `device-${round}`, userId: 'U1', version: 1 })));
    }

    await expect(armed((em) => new EraseDeviceUserUseCase(repository).execute(em, eraseU1()))).rejects.toMatchObject({ code: '40001' });
  });
});
