import { timeZoneOffsetHours, withTimeZoneOffset } from './time-zone';

const SUMMER = new Date('2025-07-01T12:00:00Z');
const WINTER = new Date('2025-01-15T12:00:00Z');

describe('timeZoneOffsetHours', () => {
  it.each([
    ['Europe/Amsterdam', SUMMER, 2],
    ['Europe/Amsterdam', WINTER, 1],
    ['America/New_York', WINTER, -5],
    ['America/Sao_Paulo', SUMMER, -3],
    ['Asia/Kolkata', SUMMER, 5.5],
    ['Asia/Kathmandu', SUMMER, 5.75],
    ['UTC', SUMMER, 0],
  ])('%s at %s is %d hours from UTC', (zone, at, hours) => {
    expect(timeZoneOffsetHours(zone, at)).toBe(hours);
  });

  it('knows nothing of an unknown zone', () => {
    expect(timeZoneOffsetHours('Mars/Olympus', SUMMER)).toBeUndefined();
  });
});

describe('withTimeZoneOffset', () => {
  it('fills in the offset from the zone when none is given', () => {
    expect(withTimeZoneOffset({ timeZone: 'Europe/Amsterdam' }, SUMMER)).toEqual({ timeZone: 'Europe/Amsterdam', timeZoneOffset: 2 });
  });

  it('keeps an explicit offset, or an explicit null, and leaves properties without a zone alone', () => {
    expect(withTimeZoneOffset({ timeZone: 'Europe/Amsterdam', timeZoneOffset: 5 }, SUMMER)).toEqual({ timeZone: 'Europe/Amsterdam', timeZoneOffset: 5 });
    expect(withTimeZoneOffset({ timeZone: 'Europe/Amsterdam', timeZoneOffset: null }, SUMMER).timeZoneOffset).toBeNull();
    expect(withTimeZoneOffset({ language: 'nl' }, SUMMER)).toEqual({ language: 'nl' });
    expect(withTimeZoneOffset({ timeZone: null }, SUMMER)).toEqual({ timeZone: null });
  });
});
