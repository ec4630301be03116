import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { ERASE_DEVICE_USER, Envelope, Message, causedBy } from '@omni/contracts';
import { Decision } from '@omni/messaging';
import { serializationFailure } from '@omni/persistence';
import { DevicesRepository } from '../../persistence/devices.repository';
import { DeviceDecisions } from '../device-decisions';


/**
 * Rounds of locking a user's devices before the command is retried from the start. A round after
 * the first only finds devices that a registration moved to the user (oldDeviceID) while the
 * previous round waited for the moving transaction's locks.
 */
export const ERASE_ROUNDS_MAX = 20;

/**
 * Part of erasing a user (aggregate: the userID): every device of the user, active or not,
 * becomes anonymous and forgets the user's data, each with one device.user-erased. A user with no
 * devices is accepted with no events (so is the same command again).
 *
 * Concurrency: the devices' rows are locked, so a per-device command runs before or after the
 * erasure, never across it. A registration that moved one of the user's devices to a new deviceID
 * while the lock was awaited created a row this statement's snapshot cannot see: a plain read
 * after each round finds it, and the next round erases it.
 */
@Injectable()
export class EraseDeviceUserUseCase {
  constructor(private readonly devices: DevicesRepository) {}

  async execute(em: EntityManager, command: Message<typeof ERASE_DEVICE_USER>): Promise<Decision> {
    const { application, aggregateId: userId } = command;
    const cause = causedBy(command);
    const events: Envelope[] = [];
    for (let round = 1; ; round++) {
      for (const device of await this.devices.findOfUserForUpdate(em, application, userId)) {
        device.eraseUser(cause);
        if (device.events.length === 0) continue;
        await this.devices.save(em, device);
        events.push(...device.events);
      }
      if (!(await this.devices.userHasDevices(em, application, userId))) return DeviceDecisions.acceptedForUser(events);
      if (round === ERASE_ROUNDS_MAX) {
        throw serializationFailure(`devices kept moving to the user during ${ERASE_ROUNDS_MAX} rounds of erasure; retrying`);
      }
    }
  }
}
