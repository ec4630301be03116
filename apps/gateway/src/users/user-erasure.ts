import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ERASE_DEVICE_USER, ERASE_RECIPIENT_USER, ERASE_USER, Topics, newEnvelope } from '@omni/contracts';
import { MessagePublisher, recordFor } from '@omni/messaging';
import { LOGGER, Logger, MetricsRegistry } from '@omni/observability';

/**
 * `DELETE /user/foruserid/{userID}/remove`: one command to each service that holds a part of the
 * user — the device-service makes the user's devices anonymous, the recipient-service removes
 * the user's contacts, the profile-service forgets the user and emits `user.erased`, on which the
 * projection clears the read model, tombstones the snapshot and deletes the user's key (ADR 0009).
 *
 * The commands are not recorded in gateway.commands (a record would keep the userID), and the
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
    const payload = { credential: 'master' as const };
    const commands = [
      recordFor(Topics.deviceCommands, newEnvelope({ type: ERASE_DEVICE_USER, application, aggregateId: userId, aggregateVersion: null, payload })),
      recordFor(Topics.recipientCommands, newEnvelope({ type: ERASE_RECIPIENT_USER, application, aggregateId: userId, aggregateVersion: null, payload })),
      recordFor(Topics.profileCommands, newEnvelope({ type: ERASE_USER, application, aggregateId: userId, aggregateVersion: null, payload })),
    ];
    await this.publisher.publish(commands);
    for (const type of [ERASE_DEVICE_USER, ERASE_RECIPIENT_USER, ERASE_USER]) this.metrics.commandsSent.inc({ type });
    await this.dataSource.query(
      `DELETE FROM gateway.commands
        WHERE application = $1 AND envelope IS NOT NULL
          AND (envelope->>'aggregateId' = $2 OR envelope->'payload'->>'userID' = $2)`,
      [application, userId],
    );
    this.logger.info({ type: ERASE_USER }, 'user erasure requested');
  }
}
