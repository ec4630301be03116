import { CreateProfileTables1764345600000 } from './1764345600000-create-profile-tables';
import { CreateApplicationSettings1764345600001 } from './1764345600001-create-application-settings';
import { AddUserData1764345600002 } from './1764345600002-add-user-data';
import { CreateSubjectKeys1764345600003 } from './1764345600003-create-subject-keys';

/** The profile-service's migrations, oldest first. */
export const PROFILE_MIGRATIONS = [CreateProfileTables1764345600000, CreateApplicationSettings1764345600001, AddUserData1764345600002, CreateSubjectKeys1764345600003];
