import { Injectable } from '@nestjs/common';
import { Message, USER_RENAMED } from '@omni/contracts';
import { MessageHandler } from '@omni/messaging';
import { Projection } from '../projection';

@Injectable()
export class UserRenamedProjector implements MessageHandler<typeof USER_RENAMED> {
  readonly type = USER_RENAMED;

  constructor(private readonly projection: Projection) {}

  handle(event: Message<typeof USER_RENAMED>): Promise<void> {
    return this.projection.apply('user', event, async (em) => {
      // The status stays as it is: renaming a deactivated user does not reactivate them (nor does the profile-service).
      await this.projection.ensureUser(em, {
        application: event.application,
        userId: event.aggregateId,
        time: event.time,
        status: 'kept',
        profileUserName: event.payload.userName ?? null,
      });
    });
  }
}
