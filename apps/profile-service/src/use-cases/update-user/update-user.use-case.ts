import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Message, UPDATE_USER, causedBy } from '@omni/contracts';
import { Decision } from '@omni/messaging';
import { User } from '../../domain/user';
import { UsersRepository } from '../../persistence/users.repository';

/** PUT /user/foruserid/{userID}: create the user if it is new, otherwise rename it. */
@Injectable()
export class UpdateUserUseCase {
  constructor(private readonly users: UsersRepository) {}

  async execute(em: EntityManager, command: Message<typeof UPDATE_USER>): Promise<Decision> {
    const { application, aggregateId: userId } = command;
    const userName = command.payload.userName ?? null;
    const existing = await this.users.findForUpdate(em, application, userId);
    const user = existing ?? User.register(application, userId, userName, causedBy(command));
    if (existing) user.rename(userName, causedBy(command));
    if (user.events.length > 0) await this.users.save(em, user);
    return Decision.accepted('user', user.snapshot.version, [...user.events], { created: !existing });
  }
}
