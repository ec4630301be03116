import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { ERASE_DEVICE_USER, ERASE_RECIPIENT_USER, ERASE_USER, Message, Topics, causedBy, messageKey, newEnvelope } from '@omni/contracts';
import { Decision, OutgoingCommand } from '@omni/messaging';
import { SubjectKeys } from '@omni/personal-data';
import { PROFILE_SCHEMA } from '../../config';
import { User } from '../../domain/user';
import { UsersRepository } from '../../persistence/users.repository';

/**
 * DELETE /user/foruserid/{userID}/remove, one command to the profile-service, which sends the
 * other services their parts through its outbox with its own (erase-device-user: the devices
 * become anonymous; erase-recipient-user: the contacts go). Its own part: forget the user (the row
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
    const commands = otherParts(command);
    const key = await this.keys.find(em, application, userId);
    if (!key) return Decision.accepted('user', 0, [], { commands });
    // From now until the projection deletes the key, writes that name the user are refused (409).
    await this.keys.markErasing(em, key.keyId);
    const user = existing ?? User.restore({ application, userId, userName: null, status: 'active', userData: {}, version: 0 });
    user.erase(causedBy(command));
    return Decision.accepted('user', 0, [...user.events], { commands });
  }
}

/** The device-service's and the recipient-service's parts of an erasure. */
function otherParts(command: Message<typeof ERASE_USER>): OutgoingCommand[] {
  const part = <T extends typeof ERASE_DEVICE_USER | typeof ERASE_RECIPIENT_USER>(type: T) =>
    newEnvelope({
      type,
      application: command.application,
      aggregateId: command.aggregateId,
      aggregateVersion: null,
      correlationId: command.correlationId,
      causationId: command.id,
      payload: { credential: 'master' as const },
    });
  return [
    { topic: Topics.deviceCommands, command: part(ERASE_DEVICE_USER) },
    { topic: Topics.recipientCommands, command: part(ERASE_RECIPIENT_USER) },
  ];
}
