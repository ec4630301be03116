import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { DEFAULT_APPLICATION_SETTINGS, Message, OVERRIDE_DEVICE_USER_DATA, causedBy } from '@omni/contracts';
import { ApplicationSettingsStore } from '@omni/app-settings';
import { Decision } from '@omni/messaging';
import { userDataProblems } from '@omni/app-settings';
import { userRegistrationRestricted } from '../../domain/user-registration';
import { DevicesRepository } from '../../persistence/devices.repository';
import { DeviceDecisions } from '../device-decisions';

/**
 * PUT /device/{deviceID}/userdata(/override) for an anonymous device: given fields replace their
 * values, null clears, the others stay; every key and value must fit the application's fields.
 * A device that belongs to a user has no data of its own here (the gateway sends it to the user).
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
    if (device.user) {
      return userRegistrationRestricted(settings, payload.credential) ? DeviceDecisions.userRegistrationRestricted() : DeviceDecisions.hasUser();
    }
    const problems = userDataProblems(settings.userDataFields, payload.userData);
    if (problems.length > 0) return DeviceDecisions.validationFailed(problems);
    device.overrideUserData(payload.userData, causedBy(command));
    if (device.events.length > 0) await this.devices.save(em, device);
    return DeviceDecisions.accepted(device);
  }
}
