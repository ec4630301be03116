import { EntityManager } from 'typeorm';
import { strictFake } from '@omni/testing';
import { ApplicationSettingsStore, KnownApplication } from '@omni/app-settings';
import { ApplicationSettings, Message, OVERRIDE_USER_DATA, UserDataMap, newEnvelope } from '@omni/contracts';
import { User } from '../../domain/user';
import { UsersRepository } from '../../persistence/users.repository';
import { OverrideUserDataUseCase } from './override-user-data.use-case';

const em = {} as EntityManager;

const FIELDS: ApplicationSettings['userDataFields'] = [
  { key: 'firstName', label: 'First name', type: 'text', required: false },
  { key: 'birthdate', label: 'Birthdate', type: 'date', required: false },
  { key: 'gender', label: 'Gender', type: 'enum', values: ['Male', 'Female', 'Other'], required: false },
];

/** Strict fakes: only the calls the use case is expected to make are implemented; others throw. */
const strict = <T extends object>(name: string, implemented: Partial<T>): T => strictFake<T>(name, implemented);

function setup(options: { settings?: ApplicationSettings; existing?: User | null }) {
  const saved: User[] = [];
  const users = strict<UsersRepository>('UsersRepository', {
    findForUpdate: async () => options.existing ?? null,
    save: async (_em: EntityManager, user: User) => {
      saved.push(user);
    },
  });
  const known: KnownApplication | undefined = options.settings && { settings: options.settings, version: 2 };
  const settings = strict<ApplicationSettingsStore>('ApplicationSettingsStore', { get: async () => known });
  return { useCase: new OverrideUserDataUseCase(users, settings), saved };
}

function command(userData: UserDataMap, credential?: 'sdk' | 'master'): Message<typeof OVERRIDE_USER_DATA> {
  return newEnvelope({
    type: OVERRIDE_USER_DATA,
    application: 'app-1',
    aggregateId: 'U1',
    aggregateVersion: null,
    payload: { userData, ...(credential ? { credential } : {}) },
  });
}

const sdkMode: ApplicationSettings = { userRegistration: 'sdk', userDataFields: FIELDS };
const apiMode: ApplicationSettings = { userRegistration: 'api', userDataFields: FIELDS };

describe('OverrideUserDataUseCase', () => {
  it('creates an unknown user with the data: registered then data-changed, created, saved once', async () => {
    const { useCase, saved } = setup({ settings: sdkMode });
    const decision = await useCase.execute(em, command({ firstName: 'John', birthdate: '1997-03-10', gender: 'Male' }, 'master'));
    expect(decision).toMatchObject({ kind: 'accepted', aggregateType: 'user', version: 2, created: true });
    expect(decision.kind === 'accepted' && decision.events.map((event) => event.type)).toEqual(['user.registered', 'user.user-data-changed']);
    expect(saved).toHaveLength(1);
    expect(saved[0].snapshot.userData).toEqual({ firstName: 'John', birthdate: '1997-03-10', gender: 'Male' });
  });

  it('unknown fields and wrong types are refused with 400 naming userData.<key>, and nothing is saved', async () => {
    const { useCase, saved } = setup({ settings: sdkMode });
    const decision = await useCase.execute(em, command({ favouriteColour: 'blue', birthdate: '10/03/1997', gender: 'male' }, 'master'));
    expect(decision).toMatchObject({ kind: 'rejected', status: 400, code: 'VALIDATION_FAILED' });
    expect(decision.kind === 'rejected' && decision.fields?.map((field) => field.field).sort()).toEqual([
      'userData.birthdate',
      'userData.favouriteColour',
      'userData.gender',
    ]);
    expect(saved).toHaveLength(0);
  });

  it('with user registration restricted to the API, SDK credentials (or none) get 403 and master ones pass', async () => {
    for (const credential of ['sdk', undefined] as const) {
      const { useCase, saved } = setup({ settings: apiMode });
      expect(await useCase.execute(em, command({ firstName: 'Eve' }, credential))).toMatchObject({
        kind: 'rejected',
        status: 403,
        code: 'USER_REGISTRATION_RESTRICTED',
      });
      expect(saved).toHaveLength(0);
    }
    const { useCase } = setup({ settings: apiMode });
    expect(await useCase.execute(em, command({ firstName: 'John' }, 'master'))).toMatchObject({ kind: 'accepted' });
  });

  it('an application whose settings have not arrived yet accepts no field (defaults: no fields)', async () => {
    const { useCase } = setup({});
    expect(await useCase.execute(em, command({ firstName: 'John' }, 'master'))).toMatchObject({ kind: 'rejected', status: 400 });
  });

  it('an unchanged override is accepted at the current version and saves nothing', async () => {
    const existing = User.restore({ application: 'app-1', userId: 'U1', userName: 'John', status: 'active', userData: { firstName: 'John' }, version: 4 });
    const { useCase, saved } = setup({ settings: sdkMode, existing });
    expect(await useCase.execute(em, command({ firstName: 'John', gender: null }, 'master'))).toMatchObject({
      kind: 'accepted',
      version: 4,
      events: [],
      created: false,
    });
    expect(saved).toHaveLength(0);
  });
});
