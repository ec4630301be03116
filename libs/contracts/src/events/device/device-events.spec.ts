import { UndecodableMessage, decodeMessage } from '../../decode';
import { newEnvelope } from '../../envelope';
import { DEVICE_DEACTIVATED } from './device-deactivated.event';
import { DEVICE_REGISTERED } from './device-registered.event';
import { DEVICE_REPLACED } from './device-replaced.event';
import { DEVICE_TAGS_CHANGED } from './device-tags-changed.event';
import { DEVICE_UPDATED } from './device-updated.event';
import { DEVICE_USER_ASSIGNED } from './device-user-assigned.event';
import { DEVICE_USER_DATA_CHANGED } from './device-user-data-changed.event';
import { DEVICE_USER_REMOVED } from './device-user-removed.event';

function wire(type: string, payload: unknown): string {
  return JSON.stringify(
    newEnvelope({ type, application: 'app-key-1', aggregateId: 'device-1', aggregateVersion: 2, causationId: 'command-1', payload }),
  );
}

const decodes = (type: string, payload: unknown) => expect(decodeMessage(wire(type, payload)).payload).toEqual(payload);

function invalidFields(type: string, payload: unknown): string[] {
  try {
    decodeMessage(wire(type, payload));
  } catch (error) {
    if (!(error instanceof UndecodableMessage)) throw error;
    return [...new Set((error.fields ?? []).map((field) => field.field))];
  }
  throw new Error('the message decoded');
}

describe('device event contracts', () => {
  it('every device event as the device-service emits it decodes', () => {
    decodes(DEVICE_REGISTERED, {
      platform: 'Android',
      transport: 'Notificare',
      properties: { language: 'nl', location: { type: 'Point', coordinates: [4.9, 52.37] } },
      userID: 'U1',
      userName: null,
      tags: ['a'],
      userData: { firstName: 'Ada', age: 36, vip: true },
      oldDeviceID: 'device-0',
    });
    decodes(DEVICE_UPDATED, { transport: 'GCM', properties: { language: null, appVersion: '2.0' } });
    decodes(DEVICE_DEACTIVATED, { userID: null });
    decodes(DEVICE_USER_ASSIGNED, { userID: 'U2', userName: 'Bob', previousUserID: 'U1' });
    decodes(DEVICE_USER_REMOVED, { previousUserID: 'U1' });
    decodes(DEVICE_TAGS_CHANGED, { tags: [] });
    decodes(DEVICE_TAGS_CHANGED, { tags: Array.from({ length: 150 }, (_, i) => `t${i}`) });
    decodes(DEVICE_USER_DATA_CHANGED, { userData: {} });
    decodes(DEVICE_REPLACED, { replacedBy: 'device-2', previousUserID: null });
  });

  it('owner changes carry the device\'s whole state; a user-removed opened without its user (erased) keeps it', () => {
    const state = {
      platform: 'Android',
      transport: 'GCM',
      properties: { language: 'nl', location: { type: 'Point', coordinates: [4.9, 52.37] }, locationAccuracy: 10 },
      tags: ['vip'],
      userData: { firstName: 'Ada' },
      status: 'active',
    };
    decodes(DEVICE_USER_ASSIGNED, { userID: 'U2', userName: 'Bob', previousUserID: 'U1', state });
    decodes(DEVICE_USER_REMOVED, { previousUserID: 'U1', state });
    decodes(DEVICE_USER_REMOVED, { previousUserID: null, state });
    expect(invalidFields(DEVICE_USER_ASSIGNED, { userID: 'U2', userName: null, previousUserID: null, state: { ...state, status: 'erased' } })).toEqual([
      'state.status',
    ]);
    expect(invalidFields(DEVICE_USER_REMOVED, { previousUserID: 'U1', state: { ...state, tags: 'vip' } })).toEqual(['state.tags']);
  });

  it('events refuse what the service never emits', () => {
    expect(invalidFields(DEVICE_REGISTERED, { platform: 'iOS', transport: 'APNS', properties: {}, tags: [], userData: { firstName: null } })).toEqual([
      'userData',
    ]);
    expect(invalidFields(DEVICE_UPDATED, { properties: { timeZoneOffset: 20 } })).toEqual(['properties.timeZoneOffset']);
    expect(invalidFields(DEVICE_USER_REMOVED, {})).toEqual(['previousUserID']);
    expect(invalidFields(DEVICE_REPLACED, { previousUserID: 'U1' })).toEqual(['replacedBy']);
  });
});
