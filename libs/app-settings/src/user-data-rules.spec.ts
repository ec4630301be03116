import { UserDataFieldDefinition } from '@omni/contracts';
import { isIsoDate, userDataProblems } from './user-data-rules';

const fields: UserDataFieldDefinition[] = [
  { key: 'firstName', label: 'First name', type: 'text' },
  { key: 'age', label: 'Age', type: 'number' },
  { key: 'birthdate', label: 'Birthdate', type: 'date' },
  { key: 'vip', label: 'VIP', type: 'boolean' },
  { key: 'gender', label: 'Gender', type: 'enum', values: ['Male', 'Female', 'Other'] },
];

describe('userDataProblems', () => {
  it('values of the right type for defined fields, and null for any field, pass', () => {
    expect(
      userDataProblems(fields, {
        firstName: 'John',
        age: 27.5,
        birthdate: '1997-03-10',
        vip: false,
        gender: 'Male',
      }),
    ).toEqual([]);
    expect(userDataProblems(fields, { firstName: null, age: null, birthdate: null, vip: null, gender: null })).toEqual([]);
    expect(userDataProblems(fields, { birthdate: '1997-03-10T08:30:00.000Z' })).toEqual([]);
  });

  it('names each bad key as userData.<key>: unknown field, wrong type, bad date, value outside the enum, text too long', () => {
    const problems = userDataProblems(fields, {
      nickname: 'J',
      age: '27',
      birthdate: '1997-02-30',
      vip: 'yes',
      gender: 'male',
      firstName: 'x'.repeat(1025),
    });

    expect(problems).toEqual([
      { field: 'userData.nickname', message: 'userData.nickname is not a user data field of the application' },
      { field: 'userData.age', message: 'userData.age must be a number' },
      { field: 'userData.birthdate', message: 'userData.birthdate must be an ISO 8601 date (YYYY-MM-DD) or timestamp' },
      { field: 'userData.vip', message: 'userData.vip must be a boolean' },
      { field: 'userData.gender', message: 'userData.gender must be one of: Male, Female, Other' },
      { field: 'userData.firstName', message: 'userData.firstName must be at most 1024 characters' },
    ]);
  });

  it('a number for a text field, or a boolean for a number field, is refused', () => {
    expect(userDataProblems(fields, { firstName: 42, age: true }).map((p) => p.field)).toEqual(['userData.firstName', 'userData.age']);
  });
});

describe('isIsoDate', () => {
  it.each(['2024-02-29', '1997-03-10', '1997-03-10T08:30Z', '1997-03-10T08:30:00+02:00', '1997-03-10T08:30:00.123456Z'])('%s is a date', (value) => {
    expect(isIsoDate(value)).toBe(true);
  });

  it.each(['2023-02-29', '1997-13-01', '1997-3-10', '10/03/1997', '1997-03-10T25:00Z', '1997-03-10T08:30', ''])('%s is not', (value) => {
    expect(isIsoDate(value)).toBe(false);
  });
});
