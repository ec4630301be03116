import { IsOptional, IsString, MaxLength } from 'class-validator';

export const USER_REGISTERED = 'user.registered';

/** A user came into existence. Topic: profile.events, aggregate: the userID. */
export class UserRegisteredPayload {
  @IsOptional()
  @IsString()
  @MaxLength(256)
  userName!: string | null;
}
