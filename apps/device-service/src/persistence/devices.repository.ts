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
    return row && toDevice(row);
  }

  /**
   * Load every device of a user for change, active or not, locking their rows until the
   * transaction ends — in deviceID order (code point order, whatever the database's collation),
   * the order in which a registration that moves a device locks its two rows. A row another
   * transaction is changing is waited for and read as that transaction left it: one that no
   * longer belongs to the user is left out.
   */
  async findOfUserForUpdate(em: EntityManager, application: string, userId: string): Promise<Device[]> {
    const rows = await em
      .getRepository(DeviceEntity)
      .createQueryBuilder('device')
      .where('device.application = :application AND device.user_id = :userId', { application, userId })
      .orderBy('device.device_id COLLATE "C"')
      .setLock('pessimistic_write')
      .getMany();
    return rows.map(toDevice);
  }

  /** Whether any committed device (or one this transaction changed) belongs to the user: a plain read, it waits for no lock. */
  async userHasDevices(em: EntityManager, application: string, userId: string): Promise<boolean> {
    return em.getRepository(DeviceEntity).exists({ where: { application, userId } });
  }

  async save(em: EntityManager, device: Device): Promise<void> {
    const { application, deviceId, userId, userName, platform, transport, properties, tags, userData, status, replacedBy, version } =
      device.snapshot;
    await em
      .getRepository(DeviceEntity)
      .save({ application, deviceId, userId, userName, platform, transport, properties, tags, userData, status, replacedBy, version });
  }
}

function toDevice(row: DeviceEntity): Device {
  const { application, deviceId, userId, userName, platform, transport, properties, tags, userData, status, replacedBy, version } = row;
  return Device.restore({ application, deviceId, userId, userName, platform, transport, properties, tags, userData, status, replacedBy, version });
}
