import { CreateDeviceTables1764345600000 } from './1764345600000-create-device-tables';
import { CreateApplicationSettings1764345600001 } from './1764345600001-create-application-settings';
import { CreateDevices1764345600002 } from './1764345600002-create-devices';

/** The device-service's migrations, oldest first. */
export const DEVICE_MIGRATIONS = [CreateDeviceTables1764345600000, CreateApplicationSettings1764345600001, CreateDevices1764345600002];
