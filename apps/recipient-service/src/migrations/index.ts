import { CreateRecipientTables1764345600000 } from './1764345600000-create-recipient-tables';
import { CreateApplicationSettings1764345600001 } from './1764345600001-create-application-settings';

/** The recipient-service's migrations, oldest first. */
export const RECIPIENT_MIGRATIONS = [CreateRecipientTables1764345600000, CreateApplicationSettings1764345600001];
