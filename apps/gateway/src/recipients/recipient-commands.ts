import {
  ADD_RECIPIENT_TAGS,
  CLEAR_RECIPIENT_TAGS,
  CONFIRM_RECIPIENT,
  CommandMap,
  CommandType,
  DEACTIVATE_RECIPIENT,
  OVERRIDE_USER_DATA,
  RECIPIENT_PROPERTY_KEYS,
  REGISTER_RECIPIENT,
  REMOVE_RECIPIENT_TAGS,
  RecipientChanges,
  RecipientChannel,
  Topics,
  UPDATE_RECIPIENT,
  UserDataMap,
  normaliseRecipientAddress,
  recipientId,
} from '@omni/contracts';
import { RecipientReads } from '@omni/read-model';
import { CORRELATION_HEADER, CommandBus, HttpAnswer, Presenter } from '../commands/command-bus';
import { WriteOptions } from '../commands/request-headers';
import { ApiError, ErrorBody } from '../errors/api-error';
import { ADDRESS_FIELD, ADDRESS_MESSAGE } from './dto/recipient-address.validator';
import { RecipientChangesDto, UpdateRecipientDto } from './dto/recipient.dto';
import { recipientNotFound } from './recipient-id.pipe';

/** The body fields that become a recipient command's changes (everything of RecipientChanges but the credential). */
const CHANGE_KEYS = [...RECIPIENT_PROPERTY_KEYS, 'userID', 'userName', 'userData', 'tags', 'verify'] as const satisfies readonly (keyof RecipientChanges)[];

/** The reference's answer to PUT /email/{deviceID} and PUT /sms/{deviceID}. */
const UPDATED: Record<RecipientChannel, string> = { email: 'email contact updated', sms: 'sms number updated' };

/** The reference's 202 answer to PUT /email/{deviceID} and PUT /sms/{deviceID}. */
const UPDATE_PENDING: Record<RecipientChannel, string> = {
  email: 'email contact updated, pending validation',
  sms: 'sms number updated, pending validation',
};

/** The reference's answer to PUT /{email,sms}/{deviceID}/confirm. */
const VERIFIED: Record<RecipientChannel, string> = { email: 'email contact verified', sms: 'sms number verified' };

/** The changes a body asks for; absent fields stay absent (on the wire and in the Idempotency-Key's request hash). */
function changesOf(body: RecipientChangesDto): RecipientChanges {
  return Object.fromEntries(CHANGE_KEYS.filter((key) => body[key] !== undefined).map((key) => [key, body[key]])) as RecipientChanges;
}

const message =
  (text: string): Presenter =>
  () => ({ status: 200, body: { message: text } });

const noContent: Presenter = () => ({ status: 204, body: undefined });

function invalid(field: string, text: string): ApiError {
  return new ApiError(400, 'VALIDATION_FAILED', `invalid request: ${field}`, [{ field, message: text }]);
}

/** The code of the answer given when a write's user-data step is not visible in time (see RecipientCommands). */
export const USER_DATA_TIMEOUT = 'USER_DATA_TIMEOUT';

/**
 * 504 for a user-data step whose outcome did not come within the gateway's wait: the contact is
 * not written (it would be written blindly, and a late refusal of the data would go unseen).
 */
function userDataTimedOut(pending: HttpAnswer): HttpAnswer {
  const body: ErrorBody = {
    status: 504,
    code: USER_DATA_TIMEOUT,
    message: 'the user data was not applied in time; the contact was not written: send the request again (with the same Idempotency-Key)',
  };
  const correlationId = pending.headers?.[CORRELATION_HEADER];
  return { status: 504, body, headers: correlationId ? { [CORRELATION_HEADER]: correlationId } : undefined };
}

/**
 * The writes of one recipient channel (email contacts or SMS numbers), for the backend (master
 * secret): every one a command on recipient.commands keyed by the recipient id, answered once its
 * effect is visible (or 202 with `Prefer: respond-async`). The gateway computes the recipient id
 * itself — `recipientId(channel, normaliseRecipientAddress(channel, address, region))` — so that
 * every command about one contact lands on one partition before any service has seen it.
 *
 * User data sent through a contact that belongs to a user is the user's data (as a device's is):
 * POST and PUT send it first, as user.override-user-data keyed by the userID, and then the
 * contact's command without it. That first step is always awaited, whatever `Prefer` says:
 * - refused (an undefined field, a wrong type): its 400 naming `userData.<key>` is the answer, and
 *   the contact's command is never sent — nothing is written;
 * - not visible within the gateway's wait: 504 `USER_DATA_TIMEOUT`, and the contact's command is
 *   never sent (a 202 for the user data alone would let the client poll a "completed" command for
 *   a contact that was never written). The user data may still be applied later; sending the
 *   request again (with the same Idempotency-Key) is safe, the override being the same data.
 * Only the contact's own command honours `Prefer: respond-async`.
 *
 * Addresses are personal data: nothing here logs, and no error message quotes a value.
 */
export class RecipientCommands {
  constructor(
    private readonly commands: CommandBus,
    private readonly channel: RecipientChannel,
    private readonly recipients: RecipientReads,
  ) {}

  /**
   * POST /email, POST /sms: create the contact, or update (and reactivate) the one this address is.
   *
   * Answers keep the reference's ResponseDeviceMessage shape and put the recipient id where it has
   * room for one, `device.deviceID` — the id the client needs for /email/{deviceID} — and, as the
   * platform has no other id for a contact, `device.id` too:
   * - 201 `{"message": "subscription created", "device": {"id": "<id>", "deviceID": "<id>"}}` (new contact);
   * - 200 `{"message": "subscription updated", "device": {…}}` (an address it already had, however spelled);
   * - 202 `{"message": "subscription is being processed", "device": {…}, "commandId", "status": "pending"}`
   *   with `Prefer: respond-async` (or when the wait times out): the id is known before any service answers.
   *
   * `userData` with a `userID` is the user's data: it goes to the user first, awaited even with
   * `Prefer: respond-async` (a refusal is 400 and nothing is written; a timeout is 504 and the
   * contact is not written — see the class comment); without a userID it stays the contact's own.
   */
  async register(application: string, address: string, body: RecipientChangesDto, write: WriteOptions): Promise<HttpAnswer> {
    const normalisedAddress = normaliseRecipientAddress(this.channel, address, body.region);
    // The DTO has checked the address already; this only keeps a 400 (never a 500) should they ever disagree.
    if (normalisedAddress === undefined) throw this.invalidAddress(ADDRESS_FIELD[this.channel]);
    const id = recipientId(this.channel, normalisedAddress);
    const device = { id, deviceID: id };
    const changes = changesOf(body);
    // `"userData": null` asks for nothing (the field is nullable, as every optional one): no
    // override for the user, whose contract refuses a null map (the fuzzer found it dead-lettered).
    if (changes.userData !== undefined && changes.userData !== null && changes.userID) {
      // A contact of a user carries the user's data, as the user's devices do: the data goes to the
      // user (one aggregate, so concurrent writes from every route serialise), first.
      const stop = await this.overrideUserData(application, changes.userID, changes.userData, write);
      if (stop) return stop;
      delete changes.userData;
    }
    const payload = { ...changes, channel: this.channel, address, normalisedAddress, credential: 'master' as const };
    const answer = await this.send(application, id, REGISTER_RECIPIENT, payload, write, (outcome) =>
      outcome.created
        ? { status: 201, body: { message: 'subscription created', device } }
        : { status: 200, body: { message: 'subscription updated', device } },
    );
    if (answer.status !== 202) return answer;
    return { ...answer, body: { ...(answer.body as Record<string, unknown>), message: 'subscription is being processed', device } };
  }

  /**
   * PUT /{email,sms}/{deviceID}: change an active (or pending) contact; 200 with the reference's
   * message, or 202 `{"message": "email contact updated, pending validation" (sms: "sms number
   * updated, pending validation"), "commandId", "status": "pending"}` with `Prefer: respond-async`
   * (or when the wait times out).
   * The address cannot change (another address is another contact): a `subscriptionId` that is not
   * this contact's address, however spelled, is 400 naming `subscriptionId`.
   *
   * `userData` is whose the contact will be: the user the body names (`userID`), else — no `userID`
   * in the body — the user the contact belongs to (read from the read model, as for a device's
   * user data); it goes to that user first, awaited even with `Prefer: respond-async` (400 or 504
   * and the contact is not written — see the class comment), and the contact's command is sent
   * without it. A contact of nobody (or made so by `"userID": null`) keeps its own data. With
   * `userData`, a contact the read model does not show as active or pending is 404 before
   * anything is sent (as for a device's user data), so that a user's data never changes for a 404.
   */
  async update(application: string, id: string, body: UpdateRecipientDto, write: WriteOptions): Promise<HttpAnswer> {
    if (body.subscriptionId !== undefined) {
      const normalised = normaliseRecipientAddress(this.channel, body.subscriptionId, body.region);
      if (normalised === undefined) throw this.invalidAddress('subscriptionId');
      if (recipientId(this.channel, normalised) !== id) {
        throw invalid('subscriptionId', 'subscriptionId cannot change the address of a contact: register the new address (POST) and deactivate this one (DELETE)');
      }
    }
    const changes = changesOf(body);
    // `"userData": null` asks for nothing of a user (as in register): it stays a contact-level write.
    if (changes.userData !== undefined && changes.userData !== null) {
      const contact = await this.recipients.presentRecipientUser(application, id);
      if (!contact) throw recipientNotFound();
      const owner = changes.userID === undefined ? contact.userId : changes.userID;
      if (owner !== null) {
        const stop = await this.overrideUserData(application, owner, changes.userData, write);
        if (stop) return stop;
        delete changes.userData;
      }
    }
    const answer = await this.send(application, id, UPDATE_RECIPIENT, { ...changes, credential: 'master' }, write, message(UPDATED[this.channel]));
    if (answer.status !== 202) return answer;
    return { ...answer, body: { ...(answer.body as Record<string, unknown>), message: UPDATE_PENDING[this.channel] } };
  }

  /** DELETE /{email,sms}/{deviceID}: 204; the contact stays readable, inactive, until it is registered again. */
  deactivate(application: string, id: string, write: WriteOptions): Promise<HttpAnswer> {
    return this.send(application, id, DEACTIVATE_RECIPIENT, { credential: 'master' }, write, noContent);
  }

  addTags(application: string, id: string, tags: string[], write: WriteOptions): Promise<HttpAnswer> {
    return this.send(application, id, ADD_RECIPIENT_TAGS, { tags }, write, message('tags added'));
  }

  removeTags(application: string, id: string, tags: string[], write: WriteOptions): Promise<HttpAnswer> {
    return this.send(application, id, REMOVE_RECIPIENT_TAGS, { tags }, write, message('tags removed'));
  }

  clearTags(application: string, id: string, write: WriteOptions): Promise<HttpAnswer> {
    return this.send(application, id, CLEAR_RECIPIENT_TAGS, { credential: 'master' }, write, message('tags cleared'));
  }

  /**
   * PUT /{email,sms}/{deviceID}/confirm: verify a pending contact with the single-use token it was
   * sent; 200, or 400 `INVALID_TOKEN` (wrong, expired, already used, or nothing pending).
   */
  confirm(application: string, id: string, token: string, write: WriteOptions): Promise<HttpAnswer> {
    return this.send(application, id, CONFIRM_RECIPIENT, { token }, write, message(VERIFIED[this.channel]));
  }

  /**
   * The user-data step of a write through a contact of a user: user.override-user-data on the
   * user, always awaited (never `Prefer: respond-async`). Undefined once it is applied and visible;
   * otherwise the answer to give instead of going on — its refusal (400 naming `userData.<key>`),
   * or 504 USER_DATA_TIMEOUT when its outcome did not come in time.
   */
  private async overrideUserData(application: string, userId: string, userData: UserDataMap, write: WriteOptions): Promise<HttpAnswer | undefined> {
    const answer = await this.commands.execute(
      {
        application,
        topic: Topics.profileCommands,
        type: OVERRIDE_USER_DATA,
        aggregateId: userId,
        payload: { userData, credential: 'master' },
        respondAsync: false,
        idempotencyKey: write.idempotencyKey && `${write.idempotencyKey}:user-data`,
        correlationId: write.correlationId,
      },
      () => ({ status: 200, body: undefined }),
    );
    if (answer.status === 202) return userDataTimedOut(answer);
    return answer.status >= 300 ? answer : undefined;
  }

  private send<T extends CommandType>(application: string, id: string, type: T, payload: CommandMap[T], write: WriteOptions, present: Presenter): Promise<HttpAnswer> {
    return this.commands.execute({ application, topic: Topics.recipientCommands, type, aggregateId: id, payload, ...write }, present);
  }

  private invalidAddress(field: string): ApiError {
    return invalid(field, `${field} ${ADDRESS_MESSAGE[this.channel]}`);
  }
}
