import { CreateGatewayTables1764345600000 } from './1764345600000-create-gateway-tables';

/** The gateway's migrations, oldest first. */
export const GATEWAY_MIGRATIONS = [CreateGatewayTables1764345600000];
