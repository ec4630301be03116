import { DeviceUpdatableProperties } from './device-fields';

export const UPDATE_DEVICE = 'device.update';

/**
 * Change what a device reports about itself (PUT /device/{deviceID}): language, region, time
 * zone, location, capabilities. Absent fields stay, null clears. Topic: device.commands,
 * aggregate: the deviceID.
 */
export class UpdateDevicePayload extends DeviceUpdatableProperties {}
