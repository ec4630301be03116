import { IsIn, IsOptional } from 'class-validator';
import { DEVICE_ACTIVE_FILTERS, DEVICE_MEDIA, DeviceActiveFilter, DeviceMedium } from '@omni/read-model';
import { ListQueryDto } from '../../applications/dto/list-query.dto';

/** Default and largest page of a device list (reference: GET /device, /device/foruser/{userID}). */
export const DEVICE_PAGE_DEFAULT = 100;

/** GET /device, /device/foruser/{userID}: skip, limit (default 100, at most 1000), medium (default push). */
export class ListDevicesQueryDto extends ListQueryDto {
  @IsOptional()
  @IsIn(DEVICE_MEDIA)
  medium?: DeviceMedium;
}

/** GET /device/{deviceID}?active=any: `true` (default) finds active devices only, `false` inactive ones only, `any` both. */
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
