import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { CLEAR_DEVICE_TAGS, Message, causedBy } from '@omni/contracts';
import { Decision } from '@omni/messaging';
import { DevicesRepository } from '../../persistence/devices.repository';
import { DeviceDecisions } from '../device-decisions';

/** PUT /device/{deviceID}/cleartags: the device has no tags afterwards. */
@Injectable()
export class ClearDeviceTagsUseCase {
  constructor(private readonly devices: DevicesRepository) {}

  async execute(em: EntityManager, command: Message<typeof CLEAR_DEVICE_TAGS>): Promise<Decision> {
    const device = await this.devices.findForUpdate(em, command.application, command.aggregateId);
    if (!device?.isActive) return DeviceDecisions.notFound();
    device.clearTags(causedBy(command));
    if (device.events.length > 0) await this.devices.save(em, device);
    return DeviceDecisions.accepted(device);
  }
}
