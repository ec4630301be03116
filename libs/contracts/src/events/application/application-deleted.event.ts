import { IsOptional, IsString, MaxLength } from 'class-validator';

export const APPLICATION_DELETED = 'application.deleted';

/** The application is gone: its credentials stop working and its data is unreachable. */
export class ApplicationDeletedPayload {
  /** Free text for the audit trail. */
  @IsOptional()
  @IsString()
  @MaxLength(256)
  reason?: string;
}
