import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Message, UPDATE_DEVICE, causedBy } from '@omni/contracts';
import { Decision } from '@omni/messaging';
import { DevicesRepository } from '../../persistence/devices.repository';
import { DeviceDecisions } from '../device-decisions';

/** PUT /device/{deviceID}: language, region, time zone, location, capabilities of an active device. */
@Injectable()
export class UpdateDeviceUseCase {
  constructor(private readonly devices: DevicesRepository) {}

  async execute(em: EntityManager, command: Message<typeof UPDATE_DEVICE>): Promise<Decision> {
    const device = await this.devices.findForUpdate(em, command.application, command.aggregateId);
    if (!device?.isActive) return DeviceDecisions.notFound();
    device.update(command.payload, causedBy(command));
    if (device.events.length > 0) await this.devices.save(em, device);
    return DeviceDecisions.accepted(device);
  }
}
