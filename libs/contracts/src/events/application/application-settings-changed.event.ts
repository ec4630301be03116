import { Type } from 'class-transformer';
import { ValidateNested } from 'class-validator';
import { ApplicationSettings } from './application-settings';

export const APPLICATION_SETTINGS_CHANGED = 'application.settings-changed';

/** The full new settings document (never a diff). Topic: application.events; aggregate: the application key. */
export class ApplicationSettingsChangedPayload {
  @ValidateNested()
  @Type(() => ApplicationSettings)
  settings!: ApplicationSettings;
}
