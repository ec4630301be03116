import { Type } from 'class-transformer';
import { IsArray, IsIn, IsObject, ValidateNested } from 'class-validator';
import {
  DEVICE_PLATFORMS,
  DEVICE_TRANSPORTS,
  DevicePlatform,
  DeviceProperties,
  DeviceTransport,
  IsTag,
  IsUserDataMap,
} from '../../commands/device/device-fields';

export const DEVICE_CHANNEL_STATUSES = ['active', 'inactive'] as const;
export type DeviceChannelStatus = (typeof DEVICE_CHANNEL_STATUSES)[number];

/**
 * Everything a device is at an event's version but its user: what an event that changes the
 * device's owner carries (`state`), sealed with the key of its new owner (in clear for an
 * anonymous device, like every anonymous channel's data). A channel's personal data belongs to its
 * current subject: a reader rebuilds the device from it, whatever it could open of the events
 * before, which were sealed for an owner it may no longer have (ADR 0009).
 */
export class DeviceChannelState {
  @IsIn(DEVICE_PLATFORMS)
  platform!: DevicePlatform;

  @IsIn(DEVICE_TRANSPORTS)
  transport!: DeviceTransport;

  /** Only the properties that are set (location too). */
  @IsObject()
  @ValidateNested()
  @Type(() => DeviceProperties)
  properties!: DeviceProperties;

  @IsArray()
  @IsTag()
  tags!: string[];

  /** Device-level user data. */
  @IsUserDataMap(false)
  userData!: Record<string, string | number | boolean>;

  @IsIn(DEVICE_CHANNEL_STATUSES)
  status!: DeviceChannelStatus;
}
