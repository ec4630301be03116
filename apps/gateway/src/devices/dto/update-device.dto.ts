import { UpdateDevicePayload } from '@omni/contracts';

/** PUT /device/{deviceID}: the updatable device properties; absent stays, null clears. */
export class UpdateDeviceDto extends UpdateDevicePayload {}
