import { IsInt, Max, Min } from 'class-validator';
import { CommonConfig } from '@omni/config';

export const DEVICE_SCHEMA = 'device';

export class DeviceServiceConfig extends CommonConfig {
  /** Port of the health and metrics endpoints. */
  @IsInt()
  @Min(0)
  @Max(65535)
  override PORT: number = 3101;
}
