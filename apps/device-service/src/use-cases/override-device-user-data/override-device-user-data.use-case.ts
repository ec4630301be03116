import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { DEFAULT_APPLICATION_SETTINGS, Message, OVERRIDE_DEVICE_USER_DATA, OVERRIDE_USER_DATA, Topics, causedBy, forwardedCommand } from '@omni/contracts';
import { ApplicationSettingsStore } from '@omni/app-settings';
import { Decision } from '@omni/messaging';
import { userDataProblems } from '@omni/app-settings';
import { userRegistrationRestricted } from '../../domain/user-registration';
import { DevicesRepository } from '../../persistence/devices.repository';
import { DeviceDecisions } from '../device-decisions';

/**
 * PUT /device/{deviceID}/userdata(/override): given fields replace their values, null clears, the
 * others stay; every key and value must fit the application's fields. An anonymous device keeps
 * the data; a device that belongs to a user has none of its own: the command is forwarded to the
 * profile-service as user.override-user-data on the user, which answers it (ADR 0015). Which user
 * is read here, in the device's own transaction.
 */
@Injectable()
export class OverrideDeviceUserDataUseCase {
  constructor(
    private readonly devices: DevicesRepository,
    private readonly settings: ApplicationSettingsStore,
  ) {}

  async execute(em: EntityManager, command: Message<typeof OVERRIDE_DEVICE_USER_DATA>): Promise<Decision> {
    const { application, aggregateId: deviceId, payload } = command;
    const device = await this.devices.findForUpdate(em, application, deviceId);
    if (!device?.isActive) return DeviceDecisions.notFound();
    const settings = (await this.settings.get(em, application))?.settings ?? DEFAULT_APPLICATION_SETTINGS;
    if (device.user && userRegistrationRestricted(settings, payload.credential)) return DeviceDecisions.userRegistrationRestricted();
    const problems = userDataProblems(settings.userDataFields, payload.userData);
    if (problems.length > 0) return DeviceDecisions.validationFailed(problems);
    if (device.user) {
      const toUser = forwardedCommand(command, {
        type: OVERRIDE_USER_DATA,
        aggregateId: device.user.userId,
        payload: { userData: payload.userData, credential: payload.credential },
      });
      return Decision.forwarded(Topics.profileCommands, toUser);
    }
    device.overrideUserData(payload.userData, causedBy(command));
    if (device.events.length > 0) await this.devices.save(em, device);
    return DeviceDecisions.accepted(device);
  }
}
