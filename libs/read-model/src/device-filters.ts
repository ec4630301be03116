/**
 * Conditions on the devices of the read model, for the device queries of the reference (for a
 * user, a tag, a region, a subscription, a search string, a place). A filter writes SQL over the
 * columns of one source — push devices (`devices d`) or email/SMS contacts (`recipients r`) —
 * and passes every value as a parameter: the SQL text holds only
 * constants, column names and placeholders.
 */

/** The columns a filter reads, in one source. */
export interface SourceColumns {
  /** The deviceID (a contact's recipient id). */
  id: string;
  /** The subscription id: a push device's deviceID, a contact's email address or phone number. */
  subscription: string;
  /** How a search string matches the subscription id (reference: exact for push, partial for email and SMS). */
  subscriptionSearch: 'exact' | 'partial';
  userId: string;
  properties: string;
  tags: string;
}

export const PUSH_COLUMNS: SourceColumns = {
  id: 'd.device_id',
  subscription: 'd.device_id',
  subscriptionSearch: 'exact',
  userId: 'd.user_id',
  properties: 'd.properties',
  tags: 'd.tags',
};

export const RECIPIENT_COLUMNS: SourceColumns = {
  id: 'r.recipient_id',
  subscription: 'r.address',
  subscriptionSearch: 'partial',
  userId: 'r.user_id',
  properties: 'r.properties',
  tags: 'r.tags',
};

type ParameterType = 'text' | 'bigint' | 'float8' | 'polygon' | 'polygon[]';

/** The values of a query: each `add` answers the typed placeholder of a new one. */
export class SqlParameters {
  readonly values: unknown[];

  constructor(initial: readonly unknown[]) {
    this.values = [...initial];
  }

  add(value: unknown, type: ParameterType): string {
    this.values.push(value);
    return `$${this.values.length}::${type}`;
  }
}

/** A condition on the rows of a source (SQL, its values added to `parameters`). */
export type DeviceFilter = (columns: SourceColumns, parameters: SqlParameters) => string;

/** A GeoJSON position: [longitude, latitude]. */
export type Position = [number, number];

/** Mean radius of the Earth (IUGG), kilometres: the reference's distances are in kilometres. */
export const EARTH_RADIUS_KM = 6371.0088;

/** The device's longitude and latitude (GeoJSON `properties.location.coordinates`); NULL without a location. */
function longitude(c: SourceColumns): string {
  return `(${c.properties} #>> '{location,coordinates,0}')::float8`;
}
function latitude(c: SourceColumns): string {
  return `(${c.properties} #>> '{location,coordinates,1}')::float8`;
}
function point(c: SourceColumns): string {
  return `point(${longitude(c)}, ${latitude(c)})`;
}

/** The devices of a user. */
export const forUser =
  (userId: string): DeviceFilter =>
  (c, p) =>
    `${c.userId} = ${p.add(userId, 'text')}`;

/** The devices that have a tag (exactly). */
export const withTag =
  (tag: string): DeviceFilter =>
  (c, p) =>
    `${p.add(tag, 'text')} = ANY(${c.tags})`;

/**
 * The devices whose `region` property (the region or country they report, e.g. `NL`) is `region`,
 * whatever its letter case.
 */
export const inRegion =
  (region: string): DeviceFilter =>
  (c, p) =>
    `upper(${c.properties} ->> 'region') = upper(${p.add(region, 'text')})`;

/** The device whose subscription id is exactly `subscription` (an address whatever its letter case). */
export const withSubscription =
  (subscription: string): DeviceFilter =>
  (c, p) =>
    c.subscriptionSearch === 'exact'
      ? `${c.subscription} = ${p.add(subscription, 'text')}`
      : `lower(${c.subscription}) = lower(${p.add(subscription, 'text')})`;

/** The device whose deviceID is exactly `deviceId`. */
export const withId =
  (deviceId: string): DeviceFilter =>
  (c, p) =>
    `${c.id} = ${p.add(deviceId, 'text')}`;

/** Subscription ids that match a search string: push exactly, email and SMS partially (any letter case). */
export const matchingSubscription =
  (search: string): DeviceFilter =>
  (c, p) =>
    c.subscriptionSearch === 'exact'
      ? `${c.subscription} = ${p.add(search, 'text')}`
      : `strpos(lower(${c.subscription}), lower(${p.add(search, 'text')})) > 0`;

/** Devices located within the box of two corners (any two opposite ones; never across the antimeridian). */
export const withinBounds =
  (corners: { lat1: number; long1: number; lat2: number; long2: number }): DeviceFilter =>
  (c, p) => {
    const south = p.add(Math.min(corners.lat1, corners.lat2), 'float8');
    const north = p.add(Math.max(corners.lat1, corners.lat2), 'float8');
    const west = p.add(Math.min(corners.long1, corners.long2), 'float8');
    const east = p.add(Math.max(corners.long1, corners.long2), 'float8');
    return `${latitude(c)} BETWEEN ${south} AND ${north} AND ${longitude(c)} BETWEEN ${west} AND ${east}`;
  };

/** Devices located at most `distanceKm` kilometres (great-circle, haversine) from a point. */
export const withinDistance =
  (center: { latitude: number; longitude: number }, distanceKm: number): DeviceFilter =>
  (c, p) => {
    const lat = p.add(center.latitude, 'float8');
    const lon = p.add(center.longitude, 'float8');
    const haversine =
      `sin(radians(${latitude(c)} - ${lat}) / 2) ^ 2 + ` +
      `cos(radians(${lat})) * cos(radians(${latitude(c)})) * sin(radians(${longitude(c)} - ${lon}) / 2) ^ 2`;
    return `2 * ${EARTH_RADIUS_KM} * asin(sqrt(LEAST(1, ${haversine}))) <= ${p.add(distanceKm, 'float8')}`;
  };

/** PostgreSQL's polygon text: `((x1,y1),(x2,y2),…)`, x the longitude, y the latitude. */
export function polygonText(ring: readonly Position[]): string {
  return `(${ring.map(([x, y]) => `(${x},${y})`).join(',')})`;
}

/**
 * Devices located in a GeoJSON polygon: inside its exterior ring (edges included) and outside
 * its holes. PostgreSQL's `polygon @> point`, on the plane of longitude and latitude.
 */
export const withinPolygon =
  (rings: readonly (readonly Position[])[]): DeviceFilter =>
  (c, p) => {
    const [exterior, ...holes] = rings;
    const inside = `${p.add(polygonText(exterior), 'polygon')} @> ${point(c)}`;
    if (holes.length === 0) return inside;
    return `${inside} AND NOT EXISTS (SELECT 1 FROM unnest(${p.add(holes.map(polygonText), 'polygon[]')}) AS hole WHERE hole @> ${point(c)})`;
  };
