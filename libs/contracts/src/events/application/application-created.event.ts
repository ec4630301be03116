import { Type } from 'class-transformer';
import { IsString, MaxLength, ValidateNested } from 'class-validator';
import { ApplicationSettings } from './application-settings';

export const APPLICATION_CREATED = 'application.created';

/** Topic: application.events; aggregate: the application key. */
export class ApplicationCreatedPayload {
  @IsString()
  @MaxLength(128)
  name!: string;

  @ValidateNested()
  @Type(() => ApplicationSettings)
  settings!: ApplicationSettings;
}
