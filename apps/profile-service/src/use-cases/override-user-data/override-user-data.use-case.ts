import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { ApplicationSettingsStore, userDataProblems } from '@omni/app-settings';
import { DEFAULT_APPLICATION_SETTINGS, Message, OVERRIDE_USER_DATA, causedBy } from '@omni/contracts';
import { Decision } from '@omni/messaging';
import { User } from '../../domain/user';
import { UsersRepository } from '../../persistence/users.repository';

/**
 * PUT /user/foruserid/{userID}/userdata/override, and the user data of a device that belongs to a
 * user: validated against the application's field definitions, merged with override semantics.
 */
@Injectable()
export class OverrideUserDataUseCase {
  constructor(
    private readonly users: UsersRepository,
    private readonly settings: ApplicationSettingsStore,
  ) {}

  async execute(em: EntityManager, command: Message<typeof OVERRIDE_USER_DATA>): Promise<Decision> {
    const { application, aggregateId: userId, payload } = command;
    const settings = (await this.settings.get(em, application))?.settings ?? DEFAULT_APPLICATION_SETTINGS;
    if ((payload.credential ?? 'sdk') === 'sdk' && settings.userRegistration === 'api') {
      return Decision.rejected('user', 403, 'USER_REGISTRATION_RESTRICTED', 'user registration is restricted to the API: use the master secret');
    }
    const problems = userDataProblems(settings.userDataFields, payload.userData);
    if (problems.length > 0) {
      return Decision.rejected('user', 400, 'VALIDATION_FAILED', `invalid user data: ${problems.map((p) => p.field).join(', ')}`, problems);
    }
    const existing = await this.users.findForUpdate(em, application, userId);
    const user = existing ?? User.register(application, userId, null, causedBy(command));
    user.overrideUserData(payload.userData, causedBy(command));
    if (user.events.length > 0) await this.users.save(em, user);
    return Decision.accepted('user', user.snapshot.version, [...user.events], { created: !existing });
  }
}
