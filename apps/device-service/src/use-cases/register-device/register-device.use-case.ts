import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { DEVICE_ID_MAX_LENGTH, Message, REGISTER_DEVICE, causedBy } from '@omni/contracts';
import { ApplicationSettingsStore } from '@omni/app-settings';
import { Decision } from '@omni/messaging';
import { Device, DeviceUser } from '../../domain/device';
import { DevicesRepository } from '../../persistence/devices.repository';
import { DeviceDecisions } from '../device-decisions';
import { deviceLimitPassed, standingOf } from '../device-limit';
import { userRegistrationRestrictedFor } from '../user-registration-check';

/**
 * POST /device: register a new device, update a known one, reactivate an inactive one. With an
 * oldDeviceID, the old device's user, tags and user data move here and the old one is replaced.
 */
@Injectable()
export class RegisterDeviceUseCase {
  constructor(
    private readonly devices: DevicesRepository,
    private readonly settings: ApplicationSettingsStore,
  ) {}

  async execute(em: EntityManager, command: Message<typeof REGISTER_DEVICE>): Promise<Decision> {
    const { application, aggregateId: deviceId, payload } = command;
    if (deviceId.length > DEVICE_ID_MAX_LENGTH) {
      return DeviceDecisions.validationFailed([{ field: 'deviceID', message: `deviceID must be at most ${DEVICE_ID_MAX_LENGTH} characters` }]);
    }
    const oldDeviceId = payload.oldDeviceID && payload.oldDeviceID !== deviceId ? payload.oldDeviceID : undefined;
    const { existing, old } = await this.lock(em, application, deviceId, oldDeviceId);

    let user: DeviceUser | null | undefined =
      payload.userID === undefined ? undefined : payload.userID === null ? null : { userId: payload.userID, userName: payload.userName ?? null };
    // Only a registration that says whose the device is (a userID, or null) is subject to the restriction.
    if (user !== undefined && (await userRegistrationRestrictedFor(this.settings, em, application, payload.credential))) {
      // The SDK may re-send the device's own userID, or "no user" for an anonymous device (both change nothing,
      // so they are ignored); it may never attach the device to another user, nor detach it from its user.
      const current = existing?.user ?? (old && old.snapshot.replacedBy === null ? old.user : null);
      if ((user?.userId ?? null) !== (current?.userId ?? null)) return DeviceDecisions.userRegistrationRestricted();
      user = undefined;
    }

    const cause = causedBy(command);
    const before = standingOf(existing);
    const carried = old?.replaceBy(deviceId, cause);
    const registration = { platform: payload.platform, transport: payload.transport, properties: payload, user, carried };
    const device = existing ?? Device.register(application, deviceId, registration, cause);
    if (existing) existing.reregister(registration, cause);
    const limit = await deviceLimitPassed(this.devices, this.settings, em, device, before, [deviceId, ...(oldDeviceId ? [oldDeviceId] : [])]);
    if (limit !== undefined) return DeviceDecisions.channelLimitReached(limit);

    if (old && old.events.length > 0) await this.devices.save(em, old);
    if (device.events.length > 0) await this.devices.save(em, device);
    return DeviceDecisions.accepted(device, { created: !existing, events: [...(old?.events ?? []), ...device.events] });
  }

  /** Lock both rows in one order (deviceID order), so two moves between the same devices never deadlock. */
  private async lock(
    em: EntityManager,
    application: string,
    deviceId: string,
    oldDeviceId: string | undefined,
  ): Promise<{ existing: Device | null; old: Device | null }> {
    if (oldDeviceId === undefined) return { existing: await this.devices.findForUpdate(em, application, deviceId), old: null };
    if (oldDeviceId < deviceId) {
      const old = await this.devices.findForUpdate(em, application, oldDeviceId);
      return { old, existing: await this.devices.findForUpdate(em, application, deviceId) };
    }
    const existing = await this.devices.findForUpdate(em, application, deviceId);
    return { existing, old: await this.devices.findForUpdate(em, application, oldDeviceId) };
  }
}
