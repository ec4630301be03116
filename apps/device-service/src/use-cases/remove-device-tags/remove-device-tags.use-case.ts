import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Message, REMOVE_DEVICE_TAGS, causedBy } from '@omni/contracts';
import { Decision } from '@omni/messaging';
import { DevicesRepository } from '../../persistence/devices.repository';
import { DeviceDecisions } from '../device-decisions';

/** PUT /device/{deviceID}/removetag, /removetags: tags the device does not have are ignored. */
@Injectable()
export class RemoveDeviceTagsUseCase {
  constructor(private readonly devices: DevicesRepository) {}

  async execute(em: EntityManager, command: Message<typeof REMOVE_DEVICE_TAGS>): Promise<Decision> {
    const device = await this.devices.findForUpdate(em, command.application, command.aggregateId);
    if (!device?.isActive) return DeviceDecisions.notFound();
    device.removeTags(command.payload.tags, causedBy(command));
    if (device.events.length > 0) await this.devices.save(em, device);
    return DeviceDecisions.accepted(device);
  }
}
