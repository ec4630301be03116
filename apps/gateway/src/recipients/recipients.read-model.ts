import { DataSource } from 'typeorm';
import { queryRows } from '@omni/persistence';

/** The gateway's reads of email contacts and SMS numbers: the projection's table, always within one application (tenant). */
export class RecipientsReadModel {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * The user of a contact that the recipient commands can still address — active, or pending
   * verification (the recipient-service's "present") — null when it is anonymous; undefined when
   * this application has no such contact (unknown, deactivated, erased, or not yet projected).
   */
  async presentRecipientUser(application: string, recipientId: string): Promise<{ userId: string | null } | undefined> {
    const rows = await queryRows<{ user_id: string | null }>(
      this.dataSource,
      `SELECT user_id FROM projection.recipients
        WHERE application = $1 AND recipient_id = $2 AND (status = 'active' OR verification = 'pending')`,
      [application, recipientId],
    );
    return rows[0] && { userId: rows[0].user_id };
  }
}
