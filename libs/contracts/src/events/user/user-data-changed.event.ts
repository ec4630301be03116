import { IsUserDataMap, UserDataMap } from '../../user-data';

export const USER_DATA_CHANGED = 'user.user-data-changed';

/** The user's whole data after the change (cleared fields left out). Topic: profile.events. */
export class UserDataChangedPayload {
  @IsUserDataMap(false)
  userData!: UserDataMap;
}
