import { IsUserDataMap, UserDataMap } from '@omni/contracts';

/** `{"userData": {"firstName": "John", "plan": null}}`: null clears a field. */
export class OverrideUserDataDto {
  @IsUserDataMap(true)
  userData!: UserDataMap;
}
