import { Type } from 'class-transformer';
import { IsIn, IsObject, IsOptional, ValidateNested } from 'class-validator';
import { DEVICE_PLATFORMS, DEVICE_TRANSPORTS, DevicePlatform, DeviceProperties, DeviceTransport } from '../../commands/device/device-fields';

export const DEVICE_UPDATED = 'device.updated';

/**
 * What changed about an active device: only the changed properties (null = cleared), and the
 * platform or transport when they changed. Topic: device.events, aggregate: the deviceID.
 */
export class DeviceUpdatedPayload {
  @IsOptional()
  @IsIn(DEVICE_PLATFORMS)
  platform?: DevicePlatform;

  @IsOptional()
  @IsIn(DEVICE_TRANSPORTS)
  transport?: DeviceTransport;

  @IsObject()
  @ValidateNested()
  @Type(() => DeviceProperties)
  properties!: DeviceProperties;
}
