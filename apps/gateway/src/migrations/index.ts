import { CreateGatewayTables1764345600000 } from './1764345600000-create-gateway-tables';
import { ApplicationSettingsAndOutbox1764345600001 } from './1764345600001-application-settings-and-outbox';
import { CommandEnvelopeOptional1764345600002 } from './1764345600002-command-envelope-optional';

/** The gateway's migrations, oldest first. */
export const GATEWAY_MIGRATIONS = [CreateGatewayTables1764345600000, ApplicationSettingsAndOutbox1764345600001, CommandEnvelopeOptional1764345600002];
