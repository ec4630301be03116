import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Message, REMOVE_DEVICE_USER, causedBy } from '@omni/contracts';
import { ApplicationSettingsStore } from '@omni/app-settings';
import { Decision } from '@omni/messaging';
import { DevicesRepository } from '../../persistence/devices.repository';
import { DeviceDecisions } from '../device-decisions';
import { userRegistrationRestrictedFor } from '../user-registration-check';

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
    if (await userRegistrationRestrictedFor(this.settings, em, application, payload.credential)) return DeviceDecisions.userRegistrationRestricted();
    device.removeUser(causedBy(command));
    if (device.events.length > 0) await this.devices.save(em, device);
    return DeviceDecisions.accepted(device);
  }
}
