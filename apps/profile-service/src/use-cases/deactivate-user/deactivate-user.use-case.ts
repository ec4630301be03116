import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { DEACTIVATE_USER, Message, causedBy } from '@omni/contracts';
import { Decision } from '@omni/messaging';
import { User } from '../../domain/user';
import { UsersRepository } from '../../persistence/users.repository';

/**
 * DELETE /user/foruserid/{userID}: hide the user from lists and messaging until one of their
 * channels registers again. The gateway answers 404 for a user the read model does not know; a user
 * known only through channels gets its profile row here. Deactivating twice changes nothing.
 */
@Injectable()
export class DeactivateUserUseCase {
  constructor(private readonly users: UsersRepository) {}

  async execute(em: EntityManager, command: Message<typeof DEACTIVATE_USER>): Promise<Decision> {
    const { application, aggregateId: userId } = command;
    const existing = await this.users.findForUpdate(em, application, userId);
    const user = existing ?? User.register(application, userId, null, causedBy(command));
    user.deactivate(causedBy(command));
    if (user.events.length > 0) await this.users.save(em, user);
    return Decision.accepted('user', user.snapshot.version, [...user.events]);
  }
}
