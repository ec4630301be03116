import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { FieldError, outcomeVisibleSql } from '@omni/contracts';
import { queryRows } from '@omni/persistence';
import { READ_MODEL_TABLES as t } from './tables';

/** A command's outcome as the read model records it. */
export interface OutcomeView {
  status: 'accepted' | 'rejected';
  commandType: string;
  created: boolean;
  result: Record<string, unknown> | null;
  error: { status: number; code: string; message: string; fields: FieldError[] } | null;
  /** The effect is in the read model (always true for a rejection). */
  visible: boolean;
}

interface OutcomeRow {
  status: 'accepted' | 'rejected';
  command_type: string;
  created: boolean;
  result: Record<string, unknown> | null;
  error: OutcomeView['error'];
  visible: boolean;
}

const VISIBLE = outcomeVisibleSql('o', t.entityVersions);

/** Commands' outcomes, from the read model (tenant-scoped). */
@Injectable()
export class OutcomeReads {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  /** The outcome as the read model has it now, or undefined if the projection has not recorded it yet. */
  async find(commandId: string, application: string): Promise<OutcomeView | undefined> {
    const [row] = await queryRows<OutcomeRow>(
      this.dataSource,
      // eslint-disable-next-line omni/sql-parameters -- outcomeVisibleSql: constant SQL over a fixed table name
      `SELECT o.status, o.command_type, o.created, o.result, o.error, ${VISIBLE} AS visible
         FROM ${t.commandOutcomes} o
        WHERE o.command_id = $1 AND o.application = $2`,
      [commandId, application],
    );
    return (
      row && {
        status: row.status,
        commandType: row.command_type,
        created: row.created,
        result: row.result,
        error: row.error,
        visible: row.visible === true,
      }
    );
  }
}
