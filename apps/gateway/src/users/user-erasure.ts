import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ERASE_USER, Topics, newEnvelope } from '@omni/contracts';
import { MessagePublisher, recordFor } from '@omni/messaging';
import { LOGGER, Logger, MetricsRegistry } from '@omni/observability';

/**
 * `DELETE /user/foruserid/{userID}/remove`: one command, user.erase, to the profile-service, which
 * sends the device-service and the recipient-service their parts (the devices become anonymous,
 * the contacts go) and forgets the user, emitting `user.erased`, on which the projection clears
 * the read model, tombstones the snapshot and deletes the user's key (ADR 0009, ADR 0015).
 *
 * The command is not recorded in gateway.commands (a record would keep the userID), and the
 * records that still name the user — idempotent writes not answered yet — are dropped. Erasure is
 * idempotent by nature: sent again, every part finds nothing left to do.
 */
@Injectable()
export class UserErasure {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(MessagePublisher) private readonly publisher: MessagePublisher,
    @Inject(MetricsRegistry) private readonly metrics: MetricsRegistry,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async erase(application: string, userId: string): Promise<void> {
    const erase = newEnvelope({ type: ERASE_USER, application, aggregateId: userId, aggregateVersion: null, payload: { credential: 'master' as const } });
    await this.publisher.publish([recordFor(Topics.profileCommands, erase)]);
    this.metrics.commandsSent.inc({ type: ERASE_USER });
    await this.dataSource.query(
      `DELETE FROM gateway.commands
        WHERE application = $1 AND envelope IS NOT NULL
          AND (envelope->>'aggregateId' = $2 OR envelope->'payload'->>'userID' = $2)`,
      [application, userId],
    );
    this.logger.info({ type: ERASE_USER }, 'user erasure requested');
  }
}
