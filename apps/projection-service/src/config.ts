import { IsInt, Max, Min } from 'class-validator';
import { CommonConfig } from '@omni/config';
import { READ_MODEL_SCHEMA } from '@omni/read-model';

/** The live read model's schema (libs/read-model). */
export const PROJECTION_SCHEMA = READ_MODEL_SCHEMA;

export class ProjectionServiceConfig extends CommonConfig {
  @IsInt()
  @Min(0)
  @Max(65535)
  override PORT: number = 3104;

  /** How often the snapshot relay looks for unpublished snapshots when no commit woke it (rows another instance left). */
  @IsInt()
  @Min(10)
  @Max(60_000)
  PROJECTION_RELAY_POLL_MS: number = 5_000;
}
