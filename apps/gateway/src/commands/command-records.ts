import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CoalescingQueue, queryRows, valuesList } from '@omni/persistence';

/** A command the gateway records (see CommandBus). */
export interface CommandRecord {
  commandId: string;
  application: string;
  commandType: string;
  topic: string;
  /** Kept only with an Idempotency-Key, to publish the same command again on a retry. */
  envelope: string | null;
  idempotencyKey: string | null;
  requestHash: string;
}

/** Most records in one statement (7 parameters each). */
const MAX_ROWS = 500;

/**
 * Inserts into `gateway.commands`, the concurrent ones together: while one insert runs, the
 * records that arrive wait, and go in the next statement — one commit for many `respond-async`
 * writes instead of one each. Alone, a record goes at once.
 */
@Injectable()
export class CommandRecords {
  private readonly inserts = new CoalescingQueue<CommandRecord, boolean>(
    async (records) => {
      const inserted = await this.insertRows(records);
      return records.map((record) => inserted.has(record.commandId));
    },
    (waiting) => Math.min(waiting.length, MAX_ROWS),
  );

  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  /** True if inserted; false if its application already recorded a command under its Idempotency-Key. */
  insert(record: CommandRecord): Promise<boolean> {
    return this.inserts.submit(record);
  }

  private async insertRows(records: CommandRecord[]): Promise<Set<string>> {
    const { sql, values } = valuesList(
      records.map((record) => [record.commandId, record.application, record.commandType, record.topic, record.envelope, record.idempotencyKey, record.requestHash]),
      ['uuid', 'text', 'text', 'text', 'jsonb', 'text', 'text'],
    );
    const inserted = await queryRows<{ command_id: string }>(
      this.dataSource,
      // eslint-disable-next-line omni/sql-parameters -- a VALUES list of placeholders
      `INSERT INTO gateway.commands (command_id, application, command_type, topic, envelope, idempotency_key, request_hash)
       VALUES ${sql}
       ON CONFLICT (application, idempotency_key) DO NOTHING RETURNING command_id`,
      values,
    );
    return new Set(inserted.map((row) => row.command_id));
  }
}
