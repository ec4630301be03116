import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

/**
 * The largest `skip`: any integer PostgreSQL's OFFSET (bigint) takes and JavaScript holds exactly.
 * Unbounded, `skip=999999999999999999999` became 1e21, which PostgreSQL refused (500).
 */
export const MAX_SKIP = Number.MAX_SAFE_INTEGER;

/** `skip` and `limit` of a list (limit at most 1000). */
export class ListQueryDto {
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(MAX_SKIP)
  skip?: number;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;
}
