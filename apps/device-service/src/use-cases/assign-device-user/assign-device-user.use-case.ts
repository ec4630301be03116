import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { ASSIGN_DEVICE_USER, Message, causedBy } from '@omni/contracts';
import { ApplicationSettingsStore } from '@omni/app-settings';
import { Decision } from '@omni/messaging';
import { DevicesRepository } from '../../persistence/devices.repository';
import { DeviceDecisions } from '../device-decisions';
import { deviceLimitPassed, standingOf } from '../device-limit';
import { userRegistrationRestrictedFor } from '../user-registration-check';

/** PUT /device/{deviceID}/user: the device belongs to this user now (moving from its previous one). */
@Injectable()
export class AssignDeviceUserUseCase {
  constructor(
    private readonly devices: DevicesRepository,
    private readonly settings: ApplicationSettingsStore,
  ) {}

  async execute(em: EntityManager, command: Message<typeof ASSIGN_DEVICE_USER>): Promise<Decision> {
    const { application, aggregateId: deviceId, payload } = command;
    const device = await this.devices.findForUpdate(em, application, deviceId);
    if (!device?.isActive) return DeviceDecisions.notFound();
    if (await userRegistrationRestrictedFor(this.settings, em, application, payload.credential)) return DeviceDecisions.userRegistrationRestricted();
    const before = standingOf(device);
    device.assignUser({ userId: payload.userID, userName: payload.userName ?? null }, causedBy(command));
    const limit = await deviceLimitPassed(this.devices, this.settings, em, device, before, [deviceId]);
    if (limit !== undefined) return DeviceDecisions.channelLimitReached(limit);
    if (device.events.length > 0) await this.devices.save(em, device);
    return DeviceDecisions.accepted(device);
  }
}
