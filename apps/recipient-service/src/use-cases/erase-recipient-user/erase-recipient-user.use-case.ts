import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { ERASE_RECIPIENT_USER, Envelope, Message, causedBy } from '@omni/contracts';
import { Decision } from '@omni/messaging';
import { RecipientsRepository } from '../../persistence/recipients.repository';
import { RecipientDecisions } from '../recipient-decisions';

/**
 * Part of erasing a user (aggregate: the userID): every email contact and SMS number of the user,
 * whatever its status, is erased — left as a tombstone without anything personal — each with one
 * recipient.erased. A user with no contacts is accepted with no events (so is the same command again).
 *
 * Concurrency: the contacts' rows are locked, so a per-contact command runs before or after the
 * erasure, never across it; one that gave a contact to the user while the erasure ran is ordered
 * after it (a contact never moves to a row of another id, so there is nothing else to follow).
 */
@Injectable()
export class EraseRecipientUserUseCase {
  constructor(private readonly recipients: RecipientsRepository) {}

  async execute(em: EntityManager, command: Message<typeof ERASE_RECIPIENT_USER>): Promise<Decision> {
    const cause = causedBy(command);
    const events: Envelope[] = [];
    for (const recipient of await this.recipients.findOfUserForUpdate(em, command.application, command.aggregateId)) {
      recipient.erase(cause);
      if (recipient.events.length === 0) continue;
      await this.recipients.save(em, recipient);
      events.push(...recipient.events);
    }
    return RecipientDecisions.acceptedForUser(events);
  }
}
