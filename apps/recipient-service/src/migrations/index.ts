import { CreateRecipientTables1764345600000 } from './1764345600000-create-recipient-tables';
import { CreateApplicationSettings1764345600001 } from './1764345600001-create-application-settings';
import { CreateRecipients1764345600003 } from './1764345600003-create-recipients';
import { ErasableRecipients1764345600004 } from './1764345600004-erasable-recipients';
import { RecipientRegisteredAt1764345600005 } from './1764345600005-recipient-registered-at';

/** The recipient-service's migrations, oldest first. */
export const RECIPIENT_MIGRATIONS = [
  CreateRecipientTables1764345600000,
  CreateApplicationSettings1764345600001,
  CreateRecipients1764345600003,
  ErasableRecipients1764345600004,
  RecipientRegisteredAt1764345600005,
];
