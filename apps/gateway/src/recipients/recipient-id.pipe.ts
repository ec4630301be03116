import { PipeTransform } from '@nestjs/common';
import { RECIPIENT_ID_PATTERN, RecipientChannel, recipientIdChannel } from '@omni/contracts';
import { ApiError } from '../errors/api-error';

/** The one answer for a contact the caller cannot address: unknown, deactivated, another application's, or not an id. */
export const recipientNotFound = () => new ApiError(404, 'RECIPIENT_NOT_FOUND', 'recipient not found');

/**
 * `{deviceID}` of /email/{deviceID} and /sms/{deviceID}: a recipient id (RECIPIENT_ID_PATTERN) of
 * this route's channel. Anything else — a malformed id, an address, an sms id on an /email route —
 * cannot name a contact here, so it answers exactly as an unknown id does (404 RECIPIENT_NOT_FOUND),
 * without a round trip to the recipient-service. The value is never echoed.
 */
export class RecipientIdPipe implements PipeTransform<unknown, string> {
  constructor(private readonly channel: RecipientChannel) {}

  transform(value: unknown): string {
    if (typeof value !== 'string' || !RECIPIENT_ID_PATTERN.test(value) || recipientIdChannel(value) !== this.channel) throw recipientNotFound();
    return value;
  }
}
