import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { User } from '../domain/user';
import { UserEntity } from './user.entity';

@Injectable()
export class UsersRepository {
  /** Load a user for change, locking its row until the transaction ends. */
  async findForUpdate(em: EntityManager, application: string, userId: string): Promise<User | null> {
    const row = await em.getRepository(UserEntity).findOne({
      where: { application, userId },
      lock: { mode: 'pessimistic_write' },
    });
    return row && User.restore(row);
  }

  async save(em: EntityManager, user: User): Promise<void> {
    const { application, userId, userName, status, userData, version } = user.snapshot;
    await em.getRepository(UserEntity).save({ application, userId, userName, status, userData, version });
  }

  async delete(em: EntityManager, application: string, userId: string): Promise<void> {
    await em.getRepository(UserEntity).delete({ application, userId });
  }
}
