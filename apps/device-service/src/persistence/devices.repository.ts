import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Device } from '../domain/device';
import { DeviceEntity } from './device.entity';

@Injectable()
export class DevicesRepository {
  /** Load a device for change, locking its row until the transaction ends. */
  async findForUpdate(em: EntityManager, application: string, deviceId: string): Promise<Device | null> {
    const row = await em.getRepository(DeviceEntity).findOne({
      where: { application, deviceId },
      lock: { mode: 'pessimistic_write' },
    });
    if (!row) return null;
    const { application: app, deviceId: id, userId, userName, platform, transport, properties, tags, userData, status, replacedBy, version } = row;
    return Device.restore({ application: app, deviceId: id, userId, userName, platform, transport, properties, tags, userData, status, replacedBy, version });
  }

  async save(em: EntityManager, device: Device): Promise<void> {
    const { application, deviceId, userId, userName, platform, transport, properties, tags, userData, status, replacedBy, version } =
      device.snapshot;
    await em
      .getRepository(DeviceEntity)
      .save({ application, deviceId, userId, userName, platform, transport, properties, tags, userData, status, replacedBy, version });
  }
}
