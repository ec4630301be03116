import { IsInt, IsString, Max, Min, MinLength } from 'class-validator';
import { CommonConfig } from '@omni/config';

export const GATEWAY_SCHEMA = 'gateway';

export class GatewayConfig extends CommonConfig {
  /** Port of the HTTP API. */
  @IsInt()
  @Min(0)
  @Max(65535)
  override PORT: number = 3000;

  /** Secret for the admin credential (HTTP Basic, user `admin`). Sensitive. */
  @IsString()
  @MinLength(16)
  ADMIN_SECRET!: string;

  /**
   * Key of the HMAC that stores application secrets (never stored in clear). Sensitive; changing
   * it invalidates every issued secret.
   */
  @IsString()
  @MinLength(16)
  SECRET_HASH_KEY!: string;

  /** How long a write waits for its effect to be visible before answering 202 instead. */
  @IsInt()
  @Min(100)
  @Max(120_000)
  COMMAND_TIMEOUT_MS: number = 10_000;

  /** Requests per second each application may make on one gateway instance (0 = no limit). */
  @IsInt()
  @Min(0)
  RATE_LIMIT_PER_SECOND: number = 1_000;

  /** Burst above that rate an application may make at once. */
  @IsInt()
  @Min(1)
  RATE_LIMIT_BURST: number = 2_000;

  /** Largest request body accepted (bytes); larger answers 413. */
  @IsInt()
  @Min(1_024)
  @Max(16_777_216)
  BODY_LIMIT_BYTES: number = 1_048_576;
}
