import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { DEFAULT_APPLICATION_SETTINGS, Message, REMOVE_DEVICE_USER, causedBy } from '@omni/contracts';
import { ApplicationSettingsStore } from '@omni/app-settings';
import { Decision } from '@omni/messaging';
import { userRegistrationRestricted } from '../../domain/user-registration';
import { DevicesRepository } from '../../persistence/devices.repository';
import { DeviceDecisions } from '../device-decisions';

/** DELETE /device/{deviceID}/user: the device becomes anonymous; an anonymous one stays as it is. */
@Injectable()
export class RemoveDeviceUserUseCase {
  constructor(
    private readonly devices: DevicesRepository,
    private readonly settings: ApplicationSettingsStore,
  ) {}

  async execute(em: EntityManager, command: Message<typeof REMOVE_DEVICE_USER>): Promise<Decision> {
    const { application, aggregateId: deviceId, payload } = command;
    const device = await this.devices.findForUpdate(em, application, deviceId);
    if (!device?.isActive) return DeviceDecisions.notFound();
    const settings = (await this.settings.get(em, application))?.settings ?? DEFAULT_APPLICATION_SETTINGS;
    if (userRegistrationRestricted(settings, payload.credential)) return DeviceDecisions.userRegistrationRestricted();
    device.removeUser(causedBy(command));
    if (device.events.length > 0) await this.devices.save(em, device);
    return DeviceDecisions.accepted(device);
  }
}
