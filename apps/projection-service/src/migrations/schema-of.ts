import { QueryRunner } from 'typeorm';
import { quoteIdentifier } from '@omni/persistence';
import { PROJECTION_SCHEMA } from '../config';

/**
 * The quoted schema the migration runs in: the data source's own (`projection`, or the replay's
 * `projection_rebuild`), so that a rebuild is made with exactly the live DDL.
 */
export function schemaOf(runner: QueryRunner): string {
  return quoteIdentifier((runner.connection.options as { schema?: string }).schema ?? PROJECTION_SCHEMA);
}
