import { Equals } from 'class-validator';

export const USER_DEACTIVATED = 'user.deactivated';

/** The user is hidden from lists and messaging until a channel registers again. Topic: profile.events. */
export class UserDeactivatedPayload {
  /** The user's status after the event. */
  @Equals('inactive')
  status!: 'inactive';
}
