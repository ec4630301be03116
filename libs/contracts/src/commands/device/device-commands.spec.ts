import { UndecodableMessage, decodeMessage } from '../../decode';
import { newEnvelope } from '../../envelope';
import { ADD_DEVICE_TAGS } from './add-device-tags.command';
import { ASSIGN_DEVICE_USER } from './assign-device-user.command';
import { CLEAR_DEVICE_TAGS } from './clear-device-tags.command';
import { DEACTIVATE_DEVICE } from './deactivate-device.command';
import { OVERRIDE_DEVICE_USER_DATA } from './override-device-user-data.command';
import { REGISTER_DEVICE } from './register-device.command';
import { REMOVE_DEVICE_TAGS } from './remove-device-tags.command';
import { REMOVE_DEVICE_USER } from './remove-device-user.command';
import { UPDATE_DEVICE } from './update-device.command';

function wire(type: string, payload: unknown): string {
  return JSON.stringify(newEnvelope({ type, application: 'app-key-1', aggregateId: 'device-1', aggregateVersion: null, payload }));
}

/** The fields the decoder names as invalid (throws when the message decodes). */
function invalidFields(type: string, payload: unknown): string[] {
  try {
    decodeMessage(wire(type, payload));
  } catch (error) {
    if (!(error instanceof UndecodableMessage)) throw error;
    expect(error.reason).toBe('invalid-payload');
    return [...new Set((error.fields ?? []).map((field) => field.field))];
  }
  throw new Error('the message decoded');
}

const decodes = (type: string, payload: unknown) => expect(decodeMessage(wire(type, payload)).payload).toEqual(payload);

describe('device command contracts', () => {
  it('a full device.register as the SDK sends it decodes', () => {
    decodes(REGISTER_DEVICE, {
      platform: 'iOS',
      transport: 'APNS',
      oldDeviceID: 'old-token',
      userID: 'U1',
      userName: 'Ada',
      credential: 'sdk',
      appVersion: '1.0',
      deviceString: 'iPhone14,2',
      osVersion: '17.1',
      sdkVersion: '3.0.0',
      language: 'en-US',
      region: 'NL',
      timeZoneOffset: -5.5,
      allowedUI: true,
      locationServicesAuthStatus: 'always',
      location: { type: 'Point', coordinates: [4.9, 52.37] },
    });
    decodes(REGISTER_DEVICE, { platform: 'Web', userID: null });
  });

  it('device.register: platform and transport from the allow-lists only; platform is required', () => {
    expect(invalidFields(REGISTER_DEVICE, { platform: 'Windows' })).toEqual(['platform']);
    expect(invalidFields(REGISTER_DEVICE, { platform: 'Email' })).toEqual(['platform']);
    expect(invalidFields(REGISTER_DEVICE, { platform: 'Android', transport: 'Pigeon' })).toEqual(['transport']);
    expect(invalidFields(REGISTER_DEVICE, {})).toEqual(['platform']);
  });

  it('device.register: lengths, time zone within ±14 h, location, credential', () => {
    expect(
      invalidFields(REGISTER_DEVICE, {
        platform: 'iOS',
        userID: 'u'.repeat(257),
        userName: 'n'.repeat(257),
        oldDeviceID: '',
        osVersion: 'v'.repeat(65),
        timeZoneOffset: 14.5,
        language: 'not a language',
        location: { type: 'Point', coordinates: [200, 10] },
        credential: 'admin',
      }),
    ).toEqual(['oldDeviceID', 'userID', 'userName', 'credential', 'language', 'timeZoneOffset', 'location.coordinates', 'osVersion']);
    expect(invalidFields(UPDATE_DEVICE, { timeZoneOffset: -15 })).toEqual(['timeZoneOffset']);
    expect(invalidFields(UPDATE_DEVICE, { timeZoneOffset: '1' })).toEqual(['timeZoneOffset']);
  });

  it('device.update takes the updatable properties; null clears one', () => {
    decodes(UPDATE_DEVICE, { language: 'nl', region: 'NL', timeZoneOffset: 14, allowedUI: false, location: null });
    decodes(UPDATE_DEVICE, {});
  });

  it('device.update carries a Do Not Disturb period {start, end} in HH:mm (24-hour), or null to clear it', () => {
    decodes(UPDATE_DEVICE, { dnd: { start: '23:00', end: '07:00' } });
    decodes(UPDATE_DEVICE, { dnd: null });
    expect(invalidFields(UPDATE_DEVICE, { dnd: { start: '24:00', end: '7:00' } })).toEqual(['dnd.start', 'dnd.end']);
    expect(invalidFields(UPDATE_DEVICE, { dnd: [] })).toEqual(['dnd']);
  });

  it('device.deactivate, device.remove-user and device.clear-tags carry at most the credential', () => {
    decodes(DEACTIVATE_DEVICE, {});
    decodes(REMOVE_DEVICE_USER, { credential: 'master' });
    decodes(CLEAR_DEVICE_TAGS, {});
  });

  it('device.assign-user needs a userID of 1 to 256 characters', () => {
    decodes(ASSIGN_DEVICE_USER, { userID: 'U1', userName: 'Ada', credential: 'master' });
    expect(invalidFields(ASSIGN_DEVICE_USER, {})).toEqual(['userID']);
    expect(invalidFields(ASSIGN_DEVICE_USER, { userID: '' })).toEqual(['userID']);
  });

  it('tags: 1 to 100 per call, each 1 to 64 characters without control characters or outer spaces', () => {
    decodes(ADD_DEVICE_TAGS, { tags: ['one_tag', 't'.repeat(64), 'two words', 'été'] });
    decodes(REMOVE_DEVICE_TAGS, { tags: Array.from({ length: 100 }, (_, i) => `tag${i}`) });
    expect(invalidFields(ADD_DEVICE_TAGS, { tags: [] })).toEqual(['tags']);
    expect(invalidFields(ADD_DEVICE_TAGS, { tags: Array.from({ length: 101 }, (_, i) => `tag${i}`) })).toEqual(['tags']);
    expect(invalidFields(ADD_DEVICE_TAGS, { tags: ['t'.repeat(65)] })).toEqual(['tags']);
    expect(invalidFields(REMOVE_DEVICE_TAGS, { tags: [''] })).toEqual(['tags']);
    expect(invalidFields(REMOVE_DEVICE_TAGS, { tags: [' padded'] })).toEqual(['tags']);
    expect(invalidFields(REMOVE_DEVICE_TAGS, { tags: ['line\nbreak'] })).toEqual(['tags']);
    expect(invalidFields(ADD_DEVICE_TAGS, { tags: [42] })).toEqual(['tags']);
    expect(invalidFields(ADD_DEVICE_TAGS, { tags: 'one' })).toEqual(['tags']);
  });

  it('device.override-user-data: keys like field keys, values string, number, boolean or null', () => {
    decodes(OVERRIDE_DEVICE_USER_DATA, { userData: { firstName: 'John', age: 27, vip: true, birthdate: null }, credential: 'sdk' });
    decodes(OVERRIDE_DEVICE_USER_DATA, { userData: {} });
    for (const userData of [
      { '1st': 'x' },
      { 'first-name': 'x' },
      { ['k'.repeat(65)]: 'x' },
      { address: { street: 'x' } },
      { list: ['x'] },
      { text: 'x'.repeat(1025) },
      Object.fromEntries(Array.from({ length: 201 }, (_, i) => [`k${i}`, i])),
      'firstName=John',
      null,
    ]) {
      expect(invalidFields(OVERRIDE_DEVICE_USER_DATA, { userData })).toEqual(['userData']);
    }
  });

  it('the userData error names the offending key', () => {
    try {
      decodeMessage(wire(OVERRIDE_DEVICE_USER_DATA, { userData: { ok: 1, 'bad key': 'x' } }));
      throw new Error('decoded');
    } catch (error) {
      expect((error as UndecodableMessage).fields).toEqual([
        { field: 'userData', message: 'userData key "bad key" must start with a letter and hold letters, digits or _ (1-64)' },
      ]);
    }
  });
});

describe('device location', () => {
  it('is refused as an array (class-validator nests into arrays without complaint)', () => {
    const command = newEnvelope({
      type: UPDATE_DEVICE,
      application: 'app',
      aggregateId: 'device-1',
      aggregateVersion: null,
      payload: { location: [] },
    });
    expect(() => decodeMessage(JSON.stringify(command))).toThrow(/location/);
  });
});
