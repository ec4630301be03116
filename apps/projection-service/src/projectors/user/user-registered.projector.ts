import { Injectable } from '@nestjs/common';
import { Message, USER_REGISTERED } from '@omni/contracts';
import { MessageHandler } from '@omni/messaging';
import { TransactionRunner } from '@omni/persistence';
import { PROJECTION_TABLES } from '../../read-model/read-model';
import { ProjectionStore } from '../../read-model/projection-store';

@Injectable()
export class UserRegisteredProjector implements MessageHandler<typeof USER_REGISTERED> {
  readonly type = USER_REGISTERED;

  constructor(
    private readonly tx: TransactionRunner,
    private readonly store: ProjectionStore,
  ) {}

  async handle(event: Message<typeof USER_REGISTERED>): Promise<void> {
    await this.tx.run(async (em) => {
      if (!(await this.store.advance(em, 'user', event))) return;
      await em.query(
        `INSERT INTO ${PROJECTION_TABLES.users} (application, user_id, user_name, status, created_at, updated_at)
         VALUES ($1, $2, $3, 'active', $4, $4)
         ON CONFLICT (application, user_id) DO UPDATE SET user_name = EXCLUDED.user_name, status = 'active', updated_at = EXCLUDED.updated_at`,
        [event.application, event.aggregateId, event.payload.userName, event.time],
      );
      await this.store.signal(em, event.correlationId);
    });
  }
}
