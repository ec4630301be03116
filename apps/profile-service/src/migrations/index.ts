import { CreateProfileTables1764345600000 } from './1764345600000-create-profile-tables';
import { CreateApplicationSettings1764345600001 } from './1764345600001-create-application-settings';

/** The profile-service's migrations, oldest first. */
export const PROFILE_MIGRATIONS = [CreateProfileTables1764345600000, CreateApplicationSettings1764345600001];
