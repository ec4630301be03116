import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { ERASE_USER, Message, causedBy, messageKey } from '@omni/contracts';
import { Decision } from '@omni/messaging';
import { SubjectKeys } from '@omni/personal-data';
import { PROFILE_SCHEMA } from '../../config';
import { User } from '../../domain/user';
import { UsersRepository } from '../../persistence/users.repository';

/**
 * DELETE /user/foruserid/{userID}/remove, the profile-service's part: forget the user (the row
 * goes) and emit `user.erased`, whose projection removes the user from the read model and the
 * snapshots and deletes the user's key. A user without a key never had personal data sealed in
 * any event, so there is nothing to shred: accepted without an event. Erasing twice is the same.
 * Outcomes of the user's commands still waiting in the outbox leave it once published, with the
 * relay's retention of published rows (10 minutes).
 *
 * The outcome names no aggregate version: nothing waits to see an erasure (the route answers 202).
 */
@Injectable()
export class EraseUserUseCase {
  constructor(
    private readonly users: UsersRepository,
    private readonly keys: SubjectKeys,
  ) {}

  async execute(em: EntityManager, command: Message<typeof ERASE_USER>): Promise<Decision> {
    const { application, aggregateId: userId } = command;
    const existing = await this.users.remove(em, application, userId);
    // The outcomes of the user's earlier commands name the user (aggregate id and key): published ones go now.
    await em.query(`DELETE FROM ${PROFILE_SCHEMA}.outbox WHERE published_at IS NOT NULL AND message_key = $1`, [messageKey(application, userId)]);
    const key = await this.keys.find(em, application, userId);
    if (!key) return Decision.accepted('user', 0, []);
    // From now until the projection deletes the key, writes that name the user are refused (409).
    await this.keys.markErasing(em, key.keyId);
    const user = existing ?? User.restore({ application, userId, userName: null, status: 'active', userData: {}, version: 0 });
    user.erase(causedBy(command));
    return Decision.accepted('user', 0, [...user.events]);
  }
}
