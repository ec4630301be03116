import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, Equals, IsArray, IsObject, ValidateBy, ValidateNested } from 'class-validator';
import { Position } from '@omni/read-model';

/** Most rings of a polygon (the exterior and its holes) and most positions of one ring. */
export const POLYGON_RINGS_MAX = 50;
export const POLYGON_RING_POSITIONS_MAX = 1000;

/** Why a GeoJSON position is not [longitude (-180..180), latitude (-90..90)], or undefined. */
function positionProblem(position: unknown): string | undefined {
  if (!Array.isArray(position) || position.length !== 2 || !position.every((n) => typeof n === 'number' && Number.isFinite(n))) {
    return 'is not a position [longitude, latitude]';
  }
  const [longitude, latitude] = position as Position;
  if (Math.abs(longitude) > 180) return 'has a longitude outside -180..180';
  if (Math.abs(latitude) > 90) return 'has a latitude outside -90..90';
  return undefined;
}

/**
 * Why the coordinates of a GeoJSON polygon are not a list of linear rings, or undefined: each
 * ring at least 4 positions, at most POLYGON_RING_POSITIONS_MAX, its last position its first
 * (closed), every position [longitude, latitude] within range.
 */
export function polygonRingsProblem(rings: unknown): string | undefined {
  if (!Array.isArray(rings)) return 'must be a list of linear rings';
  for (const [index, ring] of rings.entries()) {
    const name = `ring ${index}`;
    if (!Array.isArray(ring)) return `${name} must be a list of positions`;
    if (ring.length < 4) return `${name} must have at least 4 positions (a closed ring: the last one repeats the first)`;
    if (ring.length > POLYGON_RING_POSITIONS_MAX) return `${name} must have at most ${POLYGON_RING_POSITIONS_MAX} positions`;
    for (const [at, position] of ring.entries()) {
      const problem = positionProblem(position);
      if (problem) return `${name}, position ${at} ${problem}`;
    }
    const [first, last] = [ring[0] as Position, ring[ring.length - 1] as Position];
    if (first[0] !== last[0] || first[1] !== last[1]) return `${name} must be closed: its last position must be its first`;
  }
  return undefined;
}

/** A GeoJSON Polygon: `coordinates` its exterior ring, then its holes; positions [longitude, latitude]. */
export class PolygonDto {
  @Equals('Polygon', { message: 'type must be "Polygon"' })
  type!: 'Polygon';

  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(POLYGON_RINGS_MAX)
  @ValidateBy({
    name: 'isPolygonRings',
    validator: {
      validate: (value: unknown) => polygonRingsProblem(value) === undefined,
      defaultMessage: (args) => `coordinates: ${polygonRingsProblem(args?.value) ?? 'invalid'}`,
    },
  })
  coordinates!: Position[][];
}

/** POST /device/bygeometry: `{"geometry": {"type": "Polygon", "coordinates": [[[lng, lat], …]]}}`. */
export class DevicesByGeometryDto {
  @IsObject()
  @ValidateNested()
  @Type(() => PolygonDto)
  geometry!: PolygonDto;
}
