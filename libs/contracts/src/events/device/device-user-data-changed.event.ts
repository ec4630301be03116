import { IsUserDataMap } from '../../commands/device/device-fields';

export const DEVICE_USER_DATA_CHANGED = 'device.user-data-changed';

/**
 * The device-level user data of an anonymous device changed: the full user data after the
 * change (a cleared field is absent). Topic: device.events, aggregate: the deviceID.
 */
export class DeviceUserDataChangedPayload {
  @IsUserDataMap(false)
  userData!: Record<string, string | number | boolean>;
}
