import { Equals } from 'class-validator';

export const USER_ERASED = 'user.erased';

/**
 * The user was erased. Like every user event it names the user only through its sealed
 * `subject` (the aggregate id is the user's key id): once the projection has removed the user and
 * deleted the key, this event — and every other event sealed with that key — says nothing about
 * whom it concerned. Topic: profile.events.
 */
export class UserErasedPayload {
  /** The user's status after the event. */
  @Equals('erased')
  status!: 'erased';
}
