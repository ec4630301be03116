import { Equals } from 'class-validator';

export const DEVICE_USER_ERASED = 'device.user-erased';

/**
 * The device's user was erased: the device stays registered but is anonymous, and loses what
 * it held about that user — userID, userName, user data, and its location. Carries no personal
 * data, so that a replay of the topic ends in the same anonymous device.
 * Topic: device.events, aggregate: the deviceID.
 */
export class DeviceUserErasedPayload {
  /** The device belongs to nobody after the event. */
  @Equals(null)
  userID!: null;
}
