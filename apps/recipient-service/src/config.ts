import { IsInt, Max, Min } from 'class-validator';
import { CommonConfig } from '@omni/config';

export const RECIPIENT_SCHEMA = 'recipient';

export class RecipientServiceConfig extends CommonConfig {
  /** Port of the health and metrics endpoints. */
  @IsInt()
  @Min(0)
  @Max(65535)
  override PORT: number = 3102;

  /** How long a verification token (recipient.verification-requested) confirms its contact: 1 minute to 30 days. */
  @IsInt()
  @Min(1)
  @Max(43_200)
  RECIPIENT_VERIFICATION_TTL_MINUTES: number = 1440;
}
