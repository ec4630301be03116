import { CreateProfileTables1764345600000 } from './1764345600000-create-profile-tables';

/** The profile-service's migrations, oldest first. */
export const PROFILE_MIGRATIONS = [CreateProfileTables1764345600000];
