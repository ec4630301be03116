import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { DEACTIVATE_DEVICE, Message, causedBy } from '@omni/contracts';
import { Decision } from '@omni/messaging';
import { DevicesRepository } from '../../persistence/devices.repository';
import { DeviceDecisions } from '../device-decisions';

/** DELETE /device/{deviceID}: the device stays readable, inactive; deactivating it again changes nothing. */
@Injectable()
export class DeactivateDeviceUseCase {
  constructor(private readonly devices: DevicesRepository) {}

  async execute(em: EntityManager, command: Message<typeof DEACTIVATE_DEVICE>): Promise<Decision> {
    const device = await this.devices.findForUpdate(em, command.application, command.aggregateId);
    if (!device) return DeviceDecisions.notFound();
    device.deactivate(causedBy(command));
    if (device.events.length > 0) await this.devices.save(em, device);
    return DeviceDecisions.accepted(device);
  }
}
