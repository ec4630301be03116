import { Injectable } from '@nestjs/common';
import { Message, USER_ERASED } from '@omni/contracts';
import { MessageHandler } from '@omni/messaging';
import { Projection } from '../projection';

/**
 * The user is erased: nothing of them stays in the read model, the snapshot topic gets a
 * tombstone, and the user's key is deleted — from then on every event sealed with it opens to
 * nothing, live or in a replay. The devices and contacts are also cleared by their own events
 * (`device.user-erased`, `recipient.erased`); doing it here too means the read model holds nothing
 * of the user from this commit on, whatever order those arrive in.
 */
@Injectable()
export class UserErasedProjector implements MessageHandler<typeof USER_ERASED> {
  readonly type = USER_ERASED;

  constructor(private readonly projection: Projection) {}

  handle(event: Message<typeof USER_ERASED>): Promise<void> {
    return this.projection.erase(event);
  }
}
