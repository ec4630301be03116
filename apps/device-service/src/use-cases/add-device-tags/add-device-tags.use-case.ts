import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { ADD_DEVICE_TAGS, Message, causedBy } from '@omni/contracts';
import { Decision } from '@omni/messaging';
import { DevicesRepository } from '../../persistence/devices.repository';
import { DeviceDecisions } from '../device-decisions';

/** PUT /device/{deviceID}/addtag, /addtags: tags the device has already stay once. */
@Injectable()
export class AddDeviceTagsUseCase {
  constructor(private readonly devices: DevicesRepository) {}

  async execute(em: EntityManager, command: Message<typeof ADD_DEVICE_TAGS>): Promise<Decision> {
    const device = await this.devices.findForUpdate(em, command.application, command.aggregateId);
    if (!device?.isActive) return DeviceDecisions.notFound();
    device.addTags(command.payload.tags, causedBy(command));
    if (device.events.length > 0) await this.devices.save(em, device);
    return DeviceDecisions.accepted(device);
  }
}
