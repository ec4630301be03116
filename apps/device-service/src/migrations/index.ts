import { CreateDeviceTables1764345600000 } from './1764345600000-create-device-tables';

/** The device-service's migrations, oldest first. */
export const DEVICE_MIGRATIONS = [CreateDeviceTables1764345600000];
