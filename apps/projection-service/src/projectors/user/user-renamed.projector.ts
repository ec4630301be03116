import { Injectable } from '@nestjs/common';
import { Message, USER_RENAMED } from '@omni/contracts';
import { MessageHandler } from '@omni/messaging';
import { TransactionRunner } from '@omni/persistence';
import { PROJECTION_TABLES } from '../../read-model/read-model';
import { ProjectionStore } from '../../read-model/projection-store';

@Injectable()
export class UserRenamedProjector implements MessageHandler<typeof USER_RENAMED> {
  readonly type = USER_RENAMED;

  constructor(
    private readonly tx: TransactionRunner,
    private readonly store: ProjectionStore,
  ) {}

  async handle(event: Message<typeof USER_RENAMED>): Promise<void> {
    await this.tx.run(async (em) => {
      if (!(await this.store.advance(em, 'user', event))) return;
      await em.query(
        `UPDATE ${PROJECTION_TABLES.users} SET user_name = $3, updated_at = $4 WHERE application = $1 AND user_id = $2`,
        [event.application, event.aggregateId, event.payload.userName, event.time],
      );
      await this.store.signal(em, event.correlationId);
    });
  }
}
