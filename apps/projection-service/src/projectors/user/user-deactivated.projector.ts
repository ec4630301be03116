import { Injectable } from '@nestjs/common';
import { Message, USER_DEACTIVATED } from '@omni/contracts';
import { MessageHandler } from '@omni/messaging';
import { Projection } from '../projection';

/**
 * Hidden from lists and messaging until a channel registers again: a channel registering for the
 * user, or being assigned to them, with a later event time makes the user active again. A channel
 * event older than this one, folded after it, does not (see Projection.ensureUser).
 */
@Injectable()
export class UserDeactivatedProjector implements MessageHandler<typeof USER_DEACTIVATED> {
  readonly type = USER_DEACTIVATED;

  constructor(private readonly projection: Projection) {}

  handle(event: Message<typeof USER_DEACTIVATED>): Promise<void> {
    return this.projection.apply('user', event, (em) =>
      this.projection.ensureUser(em, { application: event.application, userId: event.aggregateId, time: event.time, status: 'inactive' }),
    );
  }
}
