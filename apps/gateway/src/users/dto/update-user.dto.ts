import { IsOptional, IsString, MaxLength } from 'class-validator';

export class UpdateUserDto {
  /** The user's display name. */
  @IsOptional()
  @IsString()
  @MaxLength(256)
  userName?: string;
}
