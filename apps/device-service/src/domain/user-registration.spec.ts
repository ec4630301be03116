import { userRegistrationRestricted } from './user-registration';

describe('userRegistrationRestricted', () => {
  it('restricts SDK calls (and calls that do not say who sent them) when the application keeps user registration to the API', () => {
    const api = { userRegistration: 'api' as const, userDataFields: [] };
    expect(userRegistrationRestricted(api, 'sdk')).toBe(true);
    expect(userRegistrationRestricted(api, undefined)).toBe(true);
    expect(userRegistrationRestricted(api, 'master')).toBe(false);
  });

  it('restricts nobody when the SDK may register users', () => {
    const sdk = { userRegistration: 'sdk' as const, userDataFields: [] };
    expect(userRegistrationRestricted(sdk, 'sdk')).toBe(false);
    expect(userRegistrationRestricted(sdk, undefined)).toBe(false);
  });
});
