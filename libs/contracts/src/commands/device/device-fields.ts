import 'reflect-metadata';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, Equals, IsArray, IsBoolean, IsIn, IsNumber, IsObject, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength, ValidateBy, ValidateNested, ValidationOptions } from 'class-validator';

/**
 * What device messages share: the allow-lists of the API reference, the device properties the
 * SDK reports, tags and device-level user data. Wire names: changing one is a contract change.
 */

/** Push platforms (the API's Email and SMS platforms are recipients: the recipient-service's). */
export const DEVICE_PLATFORMS = ['iOS', 'tvOS', 'Android', 'Web'] as const;
export type DevicePlatform = (typeof DEVICE_PLATFORMS)[number];

/** Push transports (the API's Email and SMS transports belong to recipients). `Notificare` is the default. */
export const DEVICE_TRANSPORTS = ['Notificare', 'APNS', 'GCM', 'HMS', 'WebPush', 'WebsitePush'] as const;
export type DeviceTransport = (typeof DEVICE_TRANSPORTS)[number];
export const DEFAULT_DEVICE_TRANSPORT: DeviceTransport = 'Notificare';

export const LOCATION_SERVICES_AUTH_STATUSES = ['none', 'use', 'always'] as const;
export const LOCATION_SERVICES_ACCURACY_AUTHS = ['full', 'reduced'] as const;

/** Longest deviceID (and oldDeviceID) accepted: push tokens and web push ids fit well within it. */
export const DEVICE_ID_MAX_LENGTH = 512;
/** Longest userID and userName on a device (as the profile-service's userName). */
export const DEVICE_USER_ID_MAX_LENGTH = 256;
export const DEVICE_USER_NAME_MAX_LENGTH = 256;

export const TAG_MAX_LENGTH = 64;
/** Most tags one add-tags or remove-tags command may carry. */
export const TAGS_PER_COMMAND_MAX = 100;

// User data and command credentials are shared by every channel: see ../../user-data.ts.
export {
  COMMAND_CREDENTIALS,
  IsUserDataMap,
  USER_DATA_KEYS_MAX,
  USER_DATA_TEXT_MAX_LENGTH,
  userDataMapProblem,
} from '../../user-data';
export type { CommandCredential, UserDataMap, UserDataValue } from '../../user-data';

/** GeoJSON point, `[longitude, latitude]` as in the API reference. */
export class DeviceLocation {
  @Equals('Point')
  type!: 'Point';

  @IsArray()
  @ArrayMinSize(2)
  @ArrayMaxSize(2)
  @IsNumber({ allowNaN: false, allowInfinity: false }, { each: true })
  @ValidateBy({
    name: 'isLongitudeLatitude',
    validator: {
      validate: (value: unknown) =>
        Array.isArray(value) &&
        typeof value[0] === 'number' &&
        typeof value[1] === 'number' &&
        Math.abs(value[0]) <= 180 &&
        Math.abs(value[1]) <= 90,
      defaultMessage: () => 'coordinates must be [longitude (-180..180), latitude (-90..90)]',
    },
  })
  coordinates!: [number, number];
}

/** A time of day, `HH:mm` on a 24-hour clock (00:00 to 23:59). */
export const DND_TIME_PATTERN = /^([01]\d|2[0-3]):[0-5]\d$/;

/**
 * A Do Not Disturb period (SDK API: PUT /device/{deviceID}/dnd): from `start` to `end`, each
 * `HH:mm` (24-hour), in the device's own time; an `end` before `start` runs past midnight
 * (`{"start": "23:00", "end": "07:00"}`).
 */
export class DeviceDnd {
  @IsString()
  @Matches(DND_TIME_PATTERN, { message: 'start must be a time "HH:mm" (00:00 to 23:59)' })
  start!: string;

  @IsString()
  @Matches(DND_TIME_PATTERN, { message: 'end must be a time "HH:mm" (00:00 to 23:59)' })
  end!: string;
}

/**
 * What a device may change about itself after registration (PUT /device/{deviceID}). Every
 * field is optional: absent leaves it as it is, null clears it.
 */
export class DeviceUpdatableProperties {
  /** The device shows notifications (visible UI allowed). */
  @IsOptional()
  @IsBoolean()
  allowedUI?: boolean | null;

  @IsOptional()
  @IsBoolean()
  backgroundAppRefresh?: boolean | null;

  @IsOptional()
  @IsBoolean()
  bluetoothEnabled?: boolean | null;

  @IsOptional()
  @IsIn(LOCATION_SERVICES_AUTH_STATUSES)
  locationServicesAuthStatus?: (typeof LOCATION_SERVICES_AUTH_STATUSES)[number] | null;

  @IsOptional()
  @IsIn(LOCATION_SERVICES_ACCURACY_AUTHS)
  locationServicesAccuracyAuth?: (typeof LOCATION_SERVICES_ACCURACY_AUTHS)[number] | null;

  /** Language tag, e.g. `nl` or `en-US`. */
  @IsOptional()
  @IsString()
  @MaxLength(35)
  @Matches(/^[A-Za-z]{2,8}([-_][A-Za-z0-9]{1,8})*$/, { message: 'language must be a language tag such as "en" or "en-US"' })
  language?: string | null;

  /** Region or country, e.g. `NL`. */
  @IsOptional()
  @IsString()
  @MaxLength(64)
  region?: string | null;

  /** Hours from UTC, within ±14 (fractions for zones such as +5.5). */
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(-14)
  @Max(14)
  timeZoneOffset?: number | null;

  @IsOptional()
  @IsObject() // @ValidateNested alone lets `[]` through (found by the gateway fuzzer)
  @ValidateNested()
  @Type(() => DeviceLocation)
  location?: DeviceLocation | null;

  /** Metres. */
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  locationAccuracy?: number | null;

  /** Metres. */
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(-100_000)
  @Max(100_000)
  altitude?: number | null;

  /** Degrees. */
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(360)
  course?: number | null;

  /** Metres per second. */
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  speed?: number | null;

  /** The Do Not Disturb period (PUT /device/{deviceID}/dnd; null clears it: /cleardnd). */
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => DeviceDnd)
  dnd?: DeviceDnd | null;
}

/** Everything a device reports about itself when it registers (POST /device). Absent leaves a field, null clears it. */
export class DeviceProperties extends DeviceUpdatableProperties {
  @IsOptional()
  @IsString()
  @MaxLength(64)
  appVersion?: string | null;

  /** e.g. `iPhone14,2` or `Chrome 80 | Mac OS X 10.14.6`. */
  @IsOptional()
  @IsString()
  @MaxLength(256)
  deviceString?: string | null;

  @IsOptional()
  @IsString()
  @MaxLength(64)
  browserName?: string | null;

  @IsOptional()
  @IsString()
  @MaxLength(64)
  browserVersion?: string | null;

  @IsOptional()
  @IsString()
  @MaxLength(256)
  osString?: string | null;

  @IsOptional()
  @IsString()
  @MaxLength(64)
  osVersion?: string | null;

  @IsOptional()
  @IsString()
  @MaxLength(64)
  sdkVersion?: string | null;
}

export type DevicePropertyKey = keyof DeviceProperties;

/** The keys of DeviceUpdatableProperties: what device.update may change. */
export const DEVICE_UPDATABLE_PROPERTY_KEYS = [
  'allowedUI',
  'backgroundAppRefresh',
  'bluetoothEnabled',
  'locationServicesAuthStatus',
  'locationServicesAccuracyAuth',
  'language',
  'region',
  'timeZoneOffset',
  'location',
  'locationAccuracy',
  'altitude',
  'course',
  'speed',
  'dnd',
] as const satisfies readonly (keyof DeviceUpdatableProperties)[];

/** The keys of DeviceProperties: what device.register may set. */
export const DEVICE_PROPERTY_KEYS = [
  ...DEVICE_UPDATABLE_PROPERTY_KEYS,
  'appVersion',
  'deviceString',
  'browserName',
  'browserVersion',
  'osString',
  'osVersion',
  'sdkVersion',
] as const satisfies readonly DevicePropertyKey[];

/** A device tag: 1 to 64 characters, no control characters, no leading or trailing space. */
export function IsTag(options?: ValidationOptions): PropertyDecorator {
  return (target, property) => {
    IsString({ each: true, ...options })(target, property);
    MinLength(1, { each: true, ...options })(target, property);
    MaxLength(TAG_MAX_LENGTH, { each: true, ...options })(target, property);
    Matches(/^(?!\s)[^\p{Cc}]*(?<!\s)$/u, {
      each: true,
      message: 'each tag must have no control characters and no leading or trailing space',
      ...options,
    })(target, property);
  };
}
