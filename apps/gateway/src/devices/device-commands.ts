import {
  CommandCredential,
  CommandMap,
  CommandType,
  OVERRIDE_DEVICE_USER_DATA,
  OVERRIDE_USER_DATA,
  Topics,
  UserDataMap,
} from '@omni/contracts';
import { DeviceReads } from '@omni/read-model';
import { CredentialKind } from '../auth/auth.guard';
import { CommandBus, HttpAnswer, Presenter } from '../commands/command-bus';
import { WriteOptions } from '../commands/request-headers';
import { deviceNotFound } from './device-id.pipe';

/** The credential a command carries: services restrict `sdk` (and anything that is not `master`). */
export function commandCredential(kind: CredentialKind): CommandCredential {
  return kind === 'master' ? 'master' : 'sdk';
}

/** `{"message": ...}`, status 200: the answer of most device writes. */
export const message =
  (text: string): Presenter =>
  () => ({ status: 200, body: { message: text } });

/** The payload without its undefined keys (absent stays absent on the wire and in the request hash). */
export function defined<T extends object>(payload: T): T {
  return Object.fromEntries(Object.entries(payload).filter(([, value]) => value !== undefined)) as T;
}

/** Device writes: every one a command on device.commands keyed by the deviceID, answered after it is visible. */
export class DeviceCommands {
  constructor(
    private readonly commands: CommandBus,
    private readonly devices: DeviceReads,
  ) {}

  send<T extends CommandType>(
    application: string,
    deviceId: string,
    type: T,
    payload: CommandMap[T],
    write: WriteOptions,
    present: Presenter,
  ): Promise<HttpAnswer> {
    return this.commands.execute({ application, topic: Topics.deviceCommands, type, aggregateId: deviceId, payload, ...write }, present);
  }

  /**
   * Override a device's user data (given fields replace, null clears, others stay). The data of a
   * device that belongs to a user is the user's: it goes to the profile-service as
   * user.override-user-data keyed by the userID (which checks the fields and, for SDK credentials,
   * API-level user registration); an anonymous device's goes to the device-service. A device that
   * is not active in this application is 404, as for any device route.
   */
  async overrideUserData(
    application: string,
    deviceId: string,
    userData: UserDataMap,
    credential: CommandCredential,
    write: WriteOptions,
    present: Presenter,
  ): Promise<HttpAnswer> {
    const device = await this.devices.activeDeviceUser(application, deviceId);
    if (!device) throw deviceNotFound();
    if (device.userId !== null) {
      return this.commands.execute(
        {
          application,
          topic: Topics.profileCommands,
          type: OVERRIDE_USER_DATA,
          aggregateId: device.userId,
          payload: { userData, credential },
          ...write,
        },
        present,
      );
    }
    return this.send(application, deviceId, OVERRIDE_DEVICE_USER_DATA, { userData, credential }, write, present);
  }
}
