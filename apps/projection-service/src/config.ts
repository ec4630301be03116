import { IsInt, Max, Min } from 'class-validator';
import { CommonConfig } from '@omni/config';

export const PROJECTION_SCHEMA = 'projection';

export class ProjectionServiceConfig extends CommonConfig {
  @IsInt()
  @Min(0)
  @Max(65535)
  override PORT: number = 3104;

  /**
   * Partitions folded in parallel (each partition stays in order). 1 by default: each fetched batch
   * is folded in one transaction, and batches of different partitions touch the same users' rows in
   * no common order — in parallel they deadlock, and each deadlock costs a second and a retry.
   */
  @IsInt()
  @Min(1)
  @Max(64)
  PROJECTION_CONCURRENCY: number = 1;

  /** How often the snapshot relay looks for unpublished snapshots when no commit woke it. */
  @IsInt()
  @Min(10)
  @Max(60_000)
  PROJECTION_RELAY_POLL_MS: number = 200;
}
