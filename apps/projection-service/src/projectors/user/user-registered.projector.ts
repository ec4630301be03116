import { Injectable } from '@nestjs/common';
import { Message, USER_REGISTERED } from '@omni/contracts';
import { MessageHandler } from '@omni/messaging';
import { Projection } from '../projection';

/** The user is active as of this event (unless a later deactivation was folded first: see Projection.ensureUser). */
@Injectable()
export class UserRegisteredProjector implements MessageHandler<typeof USER_REGISTERED> {
  readonly type = USER_REGISTERED;

  constructor(private readonly projection: Projection) {}

  handle(event: Message<typeof USER_REGISTERED>): Promise<void> {
    return this.projection.apply('user', event, async (em) => {
      // The profile-service's name; the row may already exist from a channel (then it only gets the name).
      await this.projection.ensureUser(em, {
        application: event.application,
        userId: event.aggregateId,
        time: event.time,
        status: 'active',
        profileUserName: event.payload.userName ?? null,
      });
    });
  }
}
