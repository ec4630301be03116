import { IsIn, IsOptional } from 'class-validator';
import { ListQueryDto } from '../../applications/dto/list-query.dto';

/** Channels a recipient can be reached on (`all` = every one). */
export const DEVICE_MEDIA = ['push', 'email', 'sms', 'all'] as const;
export type DeviceMedium = (typeof DEVICE_MEDIA)[number];

/** GET /device, /device/foruser/{userID}: skip, limit (default 100, at most 1000), medium (default push). */
export class ListDevicesQueryDto extends ListQueryDto {
  @IsOptional()
  @IsIn(DEVICE_MEDIA)
  medium?: DeviceMedium;
}

/** `active`: `true` (default) finds active devices only, `false` inactive ones only, `any` both. */
export const DEVICE_ACTIVE_FILTERS = ['true', 'false', 'any'] as const;
export type DeviceActiveFilter = (typeof DEVICE_ACTIVE_FILTERS)[number];

/** GET /device/{deviceID}?active=any */
export class GetDeviceQueryDto {
  @IsOptional()
  @IsIn(DEVICE_ACTIVE_FILTERS)
  active?: DeviceActiveFilter;
}

/** GET /device/fortag/{tag}/count, /device/forsubscription/{subscription}: medium only (default push). */
export class DeviceMediumQueryDto {
  @IsOptional()
  @IsIn(DEVICE_MEDIA)
  medium?: DeviceMedium;
}
