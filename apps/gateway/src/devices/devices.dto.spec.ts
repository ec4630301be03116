import { toDeviceModel } from '@omni/read-model';
import { ApiError } from '../errors/api-error';
import { invalidFields, validated as valid } from '../errors/validation.testing';
import { DeviceIdPipe } from './device-id.pipe';
import { AssignDeviceUserDto } from './dto/assign-user.dto';
import { GetDeviceQueryDto, ListDevicesQueryDto } from './dto/device-queries.dto';
import { RegisterDeviceDto } from './dto/register-device.dto';
import { TagDto, TagsDto } from './dto/tags.dto';
import { UpdateDeviceDto } from './dto/update-device.dto';
import { userDataFromBody } from './dto/user-data-body';

function thrownFields(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    const body = (error as ApiError).getResponse() as { status: number; fields: { field: string }[] };
    expect(body.status).toBe(400);
    return body.fields.map((field) => field.field);
  }
  throw new Error('valid');
}

describe('device routes input', () => {
  it('POST /device takes the SDK body: deviceID, platform, transport, user, properties; drops a credential', async () => {
    const body = await valid(RegisterDeviceDto, {
      deviceID: 'token-1',
      oldDeviceID: 'token-0',
      userID: 'U1',
      userName: 'Ada',
      platform: 'iOS',
      transport: 'APNS',
      osVersion: '17.1',
      timeZoneOffset: -5.5,
      location: { type: 'Point', coordinates: [4.9, 52.37] },
      credential: 'master',
      unknown: 'stripped',
    });
    expect(body).toMatchObject({ deviceID: 'token-1', platform: 'iOS', transport: 'APNS', userID: 'U1', timeZoneOffset: -5.5 });
    expect(body).not.toHaveProperty('credential');
    expect(body).not.toHaveProperty('unknown');
    await expect(valid(RegisterDeviceDto, { deviceID: 'token-1', platform: 'Web', userID: null })).resolves.toMatchObject({ userID: null });
  });

  it('POST /device names every bad field', async () => {
    expect(await invalidFields(RegisterDeviceDto, { platform: 'Windows' })).toEqual(['deviceID', 'platform']);
    expect(await invalidFields(RegisterDeviceDto, { deviceID: 'd'.repeat(513), platform: 'iOS', transport: 'Pigeon' })).toEqual(['deviceID', 'transport']);
    expect(await invalidFields(RegisterDeviceDto, { deviceID: 'a\nb', platform: 'iOS', oldDeviceID: '' })).toEqual(['deviceID', 'oldDeviceID']);
    expect(
      await invalidFields(RegisterDeviceDto, {
        deviceID: 'x',
        platform: 'Android',
        userID: 'u'.repeat(257),
        timeZoneOffset: 15,
        osVersion: 'v'.repeat(65),
        location: { type: 'Point', coordinates: [200, 0] },
      }),
    ).toEqual(['location.coordinates', 'osVersion', 'timeZoneOffset', 'userID']);
    expect(await invalidFields(RegisterDeviceDto, { deviceID: 'x', platform: 'Email' })).toEqual(['platform']);
    expect(await invalidFields(RegisterDeviceDto, { deviceID: 'x', platform: 'iOS', timeZoneOffset: '1' })).toEqual(['timeZoneOffset']);
  });

  it('PUT /device/{deviceID} takes the updatable properties only', async () => {
    const body = await valid(UpdateDeviceDto, { language: 'nl', region: 'NL', timeZoneOffset: 2, allowedUI: true, osVersion: '1', location: null });
    expect(body).toEqual(expect.objectContaining({ language: 'nl', region: 'NL', timeZoneOffset: 2, allowedUI: true, location: null }));
    expect(body).not.toHaveProperty('osVersion');
    expect(await invalidFields(UpdateDeviceDto, { timeZoneOffset: -14.5, language: 'not a language' })).toEqual(['language', 'timeZoneOffset']);
  });

  it('tags: one tag or 1 to 100, each 1 to 64 characters without control characters', async () => {
    await expect(valid(TagDto, { tag: 'one_tag' })).resolves.toEqual({ tag: 'one_tag' });
    expect(await invalidFields(TagDto, {})).toEqual(['tag']);
    expect(await invalidFields(TagDto, { tag: 't'.repeat(65) })).toEqual(['tag']);
    expect(await invalidFields(TagDto, { tag: ['a'] })).toEqual(['tag']);
    await expect(valid(TagsDto, { tags: ['a', 'b'] })).resolves.toEqual({ tags: ['a', 'b'] });
    expect(await invalidFields(TagsDto, { tags: [] })).toEqual(['tags']);
    expect(await invalidFields(TagsDto, { tags: ['ok', 'line\nbreak'] })).toEqual(['tags']);
  });

  it('PUT /device/{deviceID}/user needs a userID of 1 to 256 characters without control characters', async () => {
    await expect(valid(AssignDeviceUserDto, { userID: 'U1', userName: 'John Doe' })).resolves.toEqual({ userID: 'U1', userName: 'John Doe' });
    expect(await invalidFields(AssignDeviceUserDto, {})).toEqual(['userID']);
    expect(await invalidFields(AssignDeviceUserDto, { userID: 'a\u0000b', userName: 5 })).toEqual(['userID', 'userName']);
  });

  it('list queries: limit 1 to 1000, skip from 0, medium push|email|sms|all; active true|false|any', async () => {
    await expect(valid(ListDevicesQueryDto, { skip: '10', limit: '1000', medium: 'all' }, 'query')).resolves.toEqual({ skip: 10, limit: 1000, medium: 'all' });
    expect(await invalidFields(ListDevicesQueryDto, { limit: '1001', skip: '-1', medium: 'fax' }, 'query')).toEqual(['limit', 'medium', 'skip']);
    expect(await invalidFields(GetDeviceQueryDto, { active: 'maybe' }, 'query')).toEqual(['active']);
  });

  it('a deviceID in the path: 1 to 512 characters, no control characters', () => {
    const ids = new DeviceIdPipe();
    expect(ids.transform('APA91bEpai_9PbfvVie3xvVnM2VXZEjQ1ZZIFiRzXf')).toBe('APA91bEpai_9PbfvVie3xvVnM2VXZEjQ1ZZIFiRzXf');
    expect(ids.transform('d'.repeat(512))).toHaveLength(512);
    for (const bad of ['', 'd'.repeat(513), 'a\u0007b', 'a\u0085b']) expect(thrownFields(() => ids.transform(bad))).toEqual(['deviceID']);
  });

  it('user data bodies: wrapped or flat; values scalar or null; problems named userData.<key>', () => {
    const flat = { firstName: 'John', lastName: 'Doe', birthdate: '1997-03-10', gender: 'Male' };
    expect(userDataFromBody(flat)).toEqual(flat);
    expect(userDataFromBody({ userData: flat })).toEqual(flat);
    expect(userDataFromBody({ age: 27, vip: true, nickname: null })).toEqual({ age: 27, vip: true, nickname: null });
    expect(userDataFromBody({})).toEqual({});
    expect(thrownFields(() => userDataFromBody({ address: { street: 'x' }, ok: 1, 'bad key': 'x' }))).toEqual(['userData.address', 'userData.bad key']);
    expect(thrownFields(() => userDataFromBody({ userData: { list: ['x'] } }))).toEqual(['userData.list']);
    expect(thrownFields(() => userDataFromBody({ text: 'x'.repeat(1025) }))).toEqual(['userData.text']);
    for (const body of [undefined, null, 'firstName=John', ['x']]) expect(thrownFields(() => userDataFromBody(body))).toEqual(['userData']);
    expect(thrownFields(() => userDataFromBody(Object.fromEntries(Array.from({ length: 201 }, (_, i) => [`k${i}`, i]))))).toEqual(['userData']);
  });

  it('a read model row maps to the reference DeviceModel, every property by its API name', () => {
    const at = new Date('2025-01-01T00:00:00Z');
    const model = toDeviceModel('app-1', {
      medium: 'push',
      device_id: 'token-1',
      address: null,
      user_id: 'U1',
      user_name: 'Ada',
      platform: 'Android',
      transport: 'GCM',
      properties: { osVersion: '14', timeZoneOffset: 1, location: { type: 'Point', coordinates: [4.9, 52.37] }, internal: 'not exposed' },
      tags: ['a'],
      user_data: { firstName: 'Ada' },
      status: 'active',
      created_at: at,
      updated_at: at,
    });
    expect(model).toMatchObject({
      deviceID: 'token-1',
      application: 'app-1',
      medium: 'push',
      platform: 'Android',
      transport: 'GCM',
      userID: 'U1',
      userName: 'Ada',
      osVersion: '14',
      timeZoneOffset: 1,
      location: { type: 'Point', coordinates: [4.9, 52.37] },
      language: null,
      sdkVersion: null,
      tags: ['a'],
      userData: { firstName: 'Ada' },
      active: true,
      createdAt: at,
    });
    expect(model).not.toHaveProperty('internal');
  });

  // Found by the gateway fuzzer: "location": [] passed (ValidateNested validates an array's elements) and crashed the device-service.
  it('a location is a GeoJSON point object: an array is refused, null clears, a point passes', async () => {
    expect(await invalidFields(UpdateDeviceDto, { location: [] })).toEqual(['location']);
    expect(await invalidFields(UpdateDeviceDto, { location: [{ type: 'Point', coordinates: [4.9, 52.3] }] })).toEqual(['location']);
    expect(await invalidFields(RegisterDeviceDto, { deviceID: 'd1', platform: 'iOS', location: [] })).toEqual(['location']);
    await expect(valid(UpdateDeviceDto, { location: null })).resolves.toEqual({ location: null });
    await expect(valid(UpdateDeviceDto, { location: { type: 'Point', coordinates: [4.9, 52.3] } })).resolves.toMatchObject({
      location: { type: 'Point', coordinates: [4.9, 52.3] },
    });
  });
});
