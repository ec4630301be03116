import { IsOptional, IsString, MaxLength } from 'class-validator';

export const UPDATE_USER = 'user.update';

/**
 * Create the user if it does not exist yet, or rename it.
 * Topic: profile.commands, aggregate: the user's userID.
 */
export class UpdateUserPayload {
  @IsOptional()
  @IsString()
  @MaxLength(256)
  userName?: string | null;
}
