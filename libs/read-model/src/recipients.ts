import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { queryRows } from '@omni/persistence';
import { READ_MODEL_TABLES as t } from './tables';

/** Email contacts and SMS numbers, from the read model, always within one application (tenant). */
@Injectable()
export class RecipientReads {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  /**
   * The user of a contact that the recipient commands can still address — active, or pending
   * verification (the recipient-service's "present") — null when it is anonymous; undefined when
   * this application has no such contact (unknown, deactivated, erased, or not yet projected).
   */
  async presentRecipientUser(application: string, recipientId: string): Promise<{ userId: string | null } | undefined> {
    const rows = await queryRows<{ user_id: string | null }>(
      this.dataSource,
      `SELECT user_id FROM ${t.recipients}
        WHERE application = $1 AND recipient_id = $2 AND (status = 'active' OR verification = 'pending')`,
      [application, recipientId],
    );
    return rows[0] && { userId: rows[0].user_id };
  }
}
