import { IsOptional, IsString, MaxLength } from 'class-validator';

export const USER_RENAMED = 'user.renamed';

/** A user's display name changed. Topic: profile.events, aggregate: the userID. */
export class UserRenamedPayload {
  @IsOptional()
  @IsString()
  @MaxLength(256)
  userName!: string | null;
}
