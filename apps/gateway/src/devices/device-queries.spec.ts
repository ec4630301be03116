import { PUSH_COLUMNS, RECIPIENT_COLUMNS, SqlParameters, inRegion, matchingSubscription, polygonText, withinBounds, withinDistance, withinPolygon } from '@omni/read-model';
import { ApiError } from '../errors/api-error';
import { invalidFields, validated } from '../errors/validation.testing';
import { CoordinatePipe, DistancePipe, PathTextPipe, tagParam } from './device-query-params';
import { DeviceMediumQueryDto } from './dto/device-queries.dto';
import { dndFromBody } from './dto/dnd-body';
import { DevicesByGeometryDto } from './dto/geometry.dto';
import { UpdateDeviceDto } from './dto/update-device.dto';

function thrown(run: () => unknown): { fields: string[]; messages: string[] } {
  try {
    run();
  } catch (error) {
    const body = (error as ApiError).getResponse() as { status: number; code: string; fields: { field: string; message: string }[] };
    expect(body).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    return { fields: body.fields.map((field) => field.field), messages: body.fields.map((field) => field.message) };
  }
  throw new Error('valid');
}

const square = [
  [4, 52],
  [5, 52],
  [5, 53],
  [4, 53],
  [4, 52],
];

describe('device queries input', () => {
  it('coordinates in the path: decimal degrees within range, else 400 naming the parameter', () => {
    const lat = new CoordinatePipe('lat1', 'latitude');
    const long = new CoordinatePipe('long2', 'longitude');
    for (const good of ['52.37', '-90', '0', '1e1']) expect(lat.transform(good)).toBe(good);
    for (const good of ['+179.5', '.5', '-180']) expect(long.transform(good)).toBe(good);
    for (const bad of ['90.01', 'north', '', '0x10', 'Infinity', '1,5', ' 4']) expect(thrown(() => lat.transform(bad)).fields).toEqual(['lat1']);
    expect(thrown(() => long.transform('-180.5')).fields).toEqual(['long2']);
  });

  it('a distance is kilometres above 0, at most half the Earth round', () => {
    const distance = new DistancePipe();
    expect(distance.transform('1.5')).toBe('1.5');
    expect(distance.transform('20038')).toBe('20038');
    for (const bad of ['0', '-1', '20039', 'far', '1e400']) expect(thrown(() => distance.transform(bad)).fields).toEqual(['distance']);
  });

  it('text in the path: 1 to its maximum characters, no control characters', () => {
    expect(new PathTextPipe('region', 64).transform('NL')).toBe('NL');
    expect(thrown(() => new PathTextPipe('region', 64).transform('r'.repeat(65))).fields).toEqual(['region']);
    expect(thrown(() => tagParam().transform('a\u0000b')).fields).toEqual(['tag']);
    expect(thrown(() => tagParam().transform('t'.repeat(65))).fields).toEqual(['tag']);
  });

  it('a polygon body: type Polygon, closed rings of at least 4 positions [longitude, latitude] within range', async () => {
    await expect(validated(DevicesByGeometryDto, { geometry: { type: 'Polygon', coordinates: [square] } })).resolves.toMatchObject({
      geometry: { type: 'Polygon', coordinates: [square] },
    });
    expect(await invalidFields(DevicesByGeometryDto, {})).toEqual(['geometry']);
    expect(await invalidFields(DevicesByGeometryDto, { geometry: { type: 'Point', coordinates: [square] } })).toEqual(['geometry.type']);
    const bad = [
      [],
      [square.slice(0, 3)],
      [square.slice(0, 4)],
      [[...square.slice(0, 4), [4, 91]]],
      [[[200, 52], [5, 52], [5, 53], [200, 52]]],
      [[[4, 52], [5, 52], ['5', 53], [4, 53], [4, 52]]],
      [[[4, 52, 0], [5, 52, 0], [5, 53, 0], [4, 52, 0]]],
      [square, 'hole'],
      'square',
    ];
    for (const coordinates of bad) {
      expect({ coordinates, fields: await invalidFields(DevicesByGeometryDto, { geometry: { type: 'Polygon', coordinates } }) }).toEqual({ coordinates, fields: ['geometry.coordinates'] });
    }
  });

  it('a dnd body: start and end HH:mm (24-hour); problems named dnd.start and dnd.end', () => {
    expect(dndFromBody({ start: '23:00', end: '07:00', other: 'ignored' })).toEqual({ start: '23:00', end: '07:00' });
    expect(dndFromBody({ start: '00:00', end: '23:59' })).toEqual({ start: '00:00', end: '23:59' });
    expect(thrown(() => dndFromBody({})).fields).toEqual(['dnd.start', 'dnd.end']);
    expect(thrown(() => dndFromBody({ start: '24:00', end: '7:00' })).fields).toEqual(['dnd.start', 'dnd.end']);
    expect(thrown(() => dndFromBody({ start: '23:00', end: null })).fields).toEqual(['dnd.end']);
    expect(thrown(() => dndFromBody({ start: '12:60', end: '07:00' })).messages).toEqual(['dnd.start must be a time "HH:mm" (00:00 to 23:59)']);
  });

  it('PUT /device/{deviceID} takes dnd as any updatable property (null clears it), checked the same way', async () => {
    await expect(validated(UpdateDeviceDto, { dnd: null })).resolves.toEqual({ dnd: null });
    await expect(validated(UpdateDeviceDto, { dnd: { start: '22:30', end: '06:00' } })).resolves.toMatchObject({ dnd: { start: '22:30', end: '06:00' } });
    expect(await invalidFields(UpdateDeviceDto, { dnd: { start: '22:30' } })).toEqual(['dnd.end']);
    expect(await invalidFields(UpdateDeviceDto, { dnd: '22:30-06:00' })).toEqual(['dnd']);
  });

  it('medium alone: push, email, sms or all', async () => {
    expect(await invalidFields(DeviceMediumQueryDto, { medium: 'fax' }, 'query')).toEqual(['medium']);
  });
});

describe('device filters', () => {
  it('pass every value as a typed parameter, after the ones already there', () => {
    const parameters = new SqlParameters(['app-1']);
    const sql = withinBounds({ lat1: 53, long1: 5, lat2: 52, long2: 4 })(PUSH_COLUMNS, parameters);
    expect(parameters.values).toEqual(['app-1', 52, 53, 4, 5]);
    expect(sql).toContain("(d.properties #>> '{location,coordinates,1}')::float8 BETWEEN $2::float8 AND $3::float8");
    expect(sql).toContain("(d.properties #>> '{location,coordinates,0}')::float8 BETWEEN $4::float8 AND $5::float8");

    const more = new SqlParameters(['app-1']);
    inRegion("NL'; DROP TABLE x; --")(RECIPIENT_COLUMNS, more);
    withinDistance({ latitude: 52.37, longitude: 4.9 }, 1.5)(PUSH_COLUMNS, more);
    expect(more.values).toEqual(['app-1', "NL'; DROP TABLE x; --", 52.37, 4.9, 1.5]);
  });

  it('a search string matches a push deviceID exactly, an address in part', () => {
    expect(matchingSubscription('x')(PUSH_COLUMNS, new SqlParameters([]))).toBe('d.device_id = $1::text');
    expect(matchingSubscription('x')(RECIPIENT_COLUMNS, new SqlParameters([]))).toBe('strpos(lower(r.address), lower($1::text)) > 0');
  });

  it('a polygon is PostgreSQL polygon text of (longitude, latitude) points; holes a polygon[] parameter', () => {
    expect(polygonText(square as [number, number][])).toBe('((4,52),(5,52),(5,53),(4,53),(4,52))');
    const parameters = new SqlParameters(['app-1']);
    const sql = withinPolygon([square as [number, number][], square as [number, number][]])(PUSH_COLUMNS, parameters);
    expect(parameters.values).toEqual(['app-1', '((4,52),(5,52),(5,53),(4,53),(4,52))', ['((4,52),(5,52),(5,53),(4,53),(4,52))']]);
    expect(sql).toMatch(/^\$2::polygon @> point\(.+\) AND NOT EXISTS \(SELECT 1 FROM unnest\(\$3::polygon\[\]\) AS hole WHERE hole @> point\(.+\)\)$/);
  });
});
