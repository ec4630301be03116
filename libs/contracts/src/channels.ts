import type { FieldError } from './outcomes/command-outcome';

/**
 * PostgreSQL NOTIFY channels between apps: wire names like topic names. The projection notifies
 * COMMAND_PROGRESS_CHANNEL when something of a command became visible in the read model; every
 * gateway LISTENs to answer the write waiting for it. The payload is either a correlation id alone
 * (read the outcome to know whether it is visible now) or an outcome that is visible, as JSON
 * (VisibleOutcomeNotice: the write needs no query).
 */
export const COMMAND_PROGRESS_CHANNEL = 'omni_command_progress';

/** A command's outcome, visible in the read model at the commit that notifies it. */
export interface VisibleOutcomeNotice {
  correlationId: string;
  commandId: string;
  status: 'accepted' | 'rejected';
  commandType: string;
  created: boolean;
  result: Record<string, unknown> | null;
  error: { status: number; code: string; message: string; fields: FieldError[] } | null;
}

/** PostgreSQL refuses NOTIFY payloads of 8,000 bytes and more; a larger outcome goes as its correlation id. */
const MAX_PAYLOAD_BYTES = 7_900;

export function progressPayload(notice: VisibleOutcomeNotice): string {
  const json = JSON.stringify(notice);
  return Buffer.byteLength(json) <= MAX_PAYLOAD_BYTES ? json : notice.correlationId;
}

export function parseProgressPayload(payload: string): { correlationId: string; outcome?: VisibleOutcomeNotice } {
  if (!payload.startsWith('{')) return { correlationId: payload };
  const outcome = JSON.parse(payload) as VisibleOutcomeNotice;
  return { correlationId: outcome.correlationId, outcome };
}

/**
 * SQL: whether the outcome row `o` (of command_outcomes) is visible — a rejection at once; an
 * acceptance once the read model holds its aggregate, and every other aggregate it changed, at
 * least at the versions it names (`entityVersions`: the entity_versions table).
 */
export function outcomeVisibleSql(o: string, entityVersions: string): string {
  return `(${o}.status = 'rejected'
    OR ((${o}.aggregate_version IS NULL OR ${o}.aggregate_version = 0
         OR EXISTS (SELECT 1 FROM ${entityVersions} v
                     WHERE v.application = ${o}.application AND v.entity_type = ${o}.aggregate_type
                       AND v.entity_id = ${o}.aggregate_id AND v.version >= ${o}.aggregate_version))
        AND NOT EXISTS (
          SELECT 1 FROM jsonb_to_recordset(${o}.other_aggregates) AS other("aggregateType" text, "aggregateId" text, version int)
            LEFT JOIN ${entityVersions} ov
              ON ov.application = ${o}.application AND ov.entity_type = other."aggregateType" AND ov.entity_id = other."aggregateId"
           WHERE ov.version IS NULL OR ov.version < other.version)))`;
}
