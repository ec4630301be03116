import { CreateRecipientTables1764345600000 } from './1764345600000-create-recipient-tables';

/** The recipient-service's migrations, oldest first. */
export const RECIPIENT_MIGRATIONS = [CreateRecipientTables1764345600000];
