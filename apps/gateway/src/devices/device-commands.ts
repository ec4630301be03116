import { Inject, Injectable } from '@nestjs/common';
import { CommandCredential, CommandMap, CommandType, OVERRIDE_DEVICE_USER_DATA, Topics, UserDataMap } from '@omni/contracts';
import { CredentialKind } from '../auth/auth.guard';
import { CommandBus, HttpAnswer, Presenter } from '../commands/command-bus';
import { WriteOptions } from '../commands/request-headers';

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
@Injectable()
export class DeviceCommands {
  constructor(@Inject(CommandBus) private readonly commands: CommandBus) {}

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
   * Override a device's user data (given fields replace, null clears, others stay). One command to
   * the device-service, whatever the device: an anonymous device keeps the data; a device's user
   * owns the data of the device, so the device-service forwards it to the profile-service, which
   * answers (ADR 0015). A device that is not active in this application is 404.
   */
  overrideUserData(
    application: string,
    deviceId: string,
    userData: UserDataMap,
    credential: CommandCredential,
    write: WriteOptions,
    present: Presenter,
  ): Promise<HttpAnswer> {
    return this.send(application, deviceId, OVERRIDE_DEVICE_USER_DATA, { userData, credential }, write, present);
  }
}
