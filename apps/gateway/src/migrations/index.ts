import { CreateGatewayTables1764345600000 } from './1764345600000-create-gateway-tables';
import { ApplicationSettingsAndOutbox1764345600001 } from './1764345600001-application-settings-and-outbox';

/** The gateway's migrations, oldest first. */
export const GATEWAY_MIGRATIONS = [CreateGatewayTables1764345600000, ApplicationSettingsAndOutbox1764345600001];
