import { IsInt, Max, Min } from 'class-validator';
import { CommonConfig } from '@omni/config';

export const PROFILE_SCHEMA = 'profile';

export class ProfileServiceConfig extends CommonConfig {
  /** Port of the health and metrics endpoints. */
  @IsInt()
  @Min(0)
  @Max(65535)
  override PORT: number = 3103;
}
