import { CreateDeviceTables1764345600000 } from './1764345600000-create-device-tables';
import { CreateApplicationSettings1764345600001 } from './1764345600001-create-application-settings';
import { CreateDevices1764345600002 } from './1764345600002-create-devices';
import { IndexDevicesByUser1764345600003 } from './1764345600003-index-devices-by-user';

/** The device-service's migrations, oldest first. */
export const DEVICE_MIGRATIONS = [
  CreateDeviceTables1764345600000,
  CreateApplicationSettings1764345600001,
  CreateDevices1764345600002,
  IndexDevicesByUser1764345600003,
];
