import { Injectable } from '@nestjs/common';
import { Message, USER_DATA_CHANGED } from '@omni/contracts';
import { MessageHandler } from '@omni/messaging';
import { Projection } from '../projection';

@Injectable()
export class UserDataChangedProjector implements MessageHandler<typeof USER_DATA_CHANGED> {
  readonly type = USER_DATA_CHANGED;

  constructor(private readonly projection: Projection) {}

  handle(event: Message<typeof USER_DATA_CHANGED>): Promise<void> {
    return this.projection.apply('user', event, async (em) => {
      // The status stays as it is: new data for a deactivated user does not reactivate them (nor does the profile-service).
      await this.projection.ensureUser(em, { application: event.application, userId: event.aggregateId, time: event.time, status: 'kept', userData: event.payload.userData });
    });
  }
}
