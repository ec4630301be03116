import { Provider } from '@nestjs/common';
import {
  ADD_RECIPIENT_TAGS,
  CLEAR_RECIPIENT_TAGS,
  CONFIRM_RECIPIENT,
  CommandMap,
  CommandType,
  DEACTIVATE_RECIPIENT,
  RECIPIENT_PROPERTY_KEYS,
  REGISTER_RECIPIENT,
  REMOVE_RECIPIENT_TAGS,
  RecipientChanges,
  RecipientChannel,
  Topics,
  UPDATE_RECIPIENT,
  normaliseRecipientAddress,
  recipientId,
} from '@omni/contracts';
import { CommandBus, HttpAnswer, Presenter } from '../commands/command-bus';
import { WriteOptions } from '../commands/request-headers';
import { ApiError } from '../errors/api-error';
import { ADDRESS_FIELD, ADDRESS_MESSAGE } from './dto/recipient-address.validator';
import { RecipientChangesDto, UpdateRecipientDto } from './dto/recipient.dto';

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

/**
 * The writes of one recipient channel (email contacts or SMS numbers), for the backend (master
 * secret): every one a command on recipient.commands keyed by the recipient id, answered once its
 * effect is visible (or 202 with `Prefer: respond-async`). The gateway computes the recipient id
 * itself — `recipientId(channel, normaliseRecipientAddress(channel, address, region))` — so that
 * every command about one contact lands on one partition before any service has seen it.
 *
 * User data sent through a contact that belongs to a user is the user's data (as a device's is):
 * the recipient-service checks it, writes the contact without it and forwards it to the user's
 * profile, whose outcome answers the write once both are visible (ADR 0015). One request, one
 * command: a refusal of the data (400 naming `userData.<key>`) writes nothing.
 *
 * Addresses are personal data: nothing here logs, and no error message quotes a value.
 */
export class RecipientCommands {
  constructor(
    private readonly commands: CommandBus,
    private readonly channel: RecipientChannel,
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
   * `userData` is the user's when the contact has (or is given) a user: see the class comment.
   */
  async register(application: string, address: string, body: RecipientChangesDto, write: WriteOptions): Promise<HttpAnswer> {
    const normalisedAddress = normaliseRecipientAddress(this.channel, address, body.region);
    // The DTO has checked the address already; this only keeps a 400 (never a 500) should they ever disagree.
    if (normalisedAddress === undefined) throw this.invalidAddress(ADDRESS_FIELD[this.channel]);
    const id = recipientId(this.channel, normalisedAddress);
    const device = { id, deviceID: id };
    const changes = changesOf(body);
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
   * `userData` is the user's when the contact has (or is given) a user: see the class comment.
   */
  async update(application: string, id: string, body: UpdateRecipientDto, write: WriteOptions): Promise<HttpAnswer> {
    if (body.subscriptionId !== undefined) {
      const normalised = normaliseRecipientAddress(this.channel, body.subscriptionId, body.region);
      if (normalised === undefined) throw this.invalidAddress('subscriptionId');
      if (recipientId(this.channel, normalised) !== id) {
        throw invalid('subscriptionId', 'subscriptionId cannot change the address of a contact: register the new address (POST) and deactivate this one (DELETE)');
      }
    }
    const answer = await this.send(application, id, UPDATE_RECIPIENT, { ...changesOf(body), credential: 'master' }, write, message(UPDATED[this.channel]));
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

  private send<T extends CommandType>(application: string, id: string, type: T, payload: CommandMap[T], write: WriteOptions, present: Presenter): Promise<HttpAnswer> {
    return this.commands.execute({ application, topic: Topics.recipientCommands, type, aggregateId: id, payload, ...write }, present);
  }

  private invalidAddress(field: string): ApiError {
    return invalid(field, `${field} ${ADDRESS_MESSAGE[this.channel]}`);
  }
}

/** The writes of email contacts and of SMS numbers, as the controllers receive them. */
export const EMAIL_COMMANDS = Symbol('EMAIL_COMMANDS');
export const SMS_COMMANDS = Symbol('SMS_COMMANDS');

export const RECIPIENT_COMMAND_PROVIDERS: Provider[] = [
  { provide: EMAIL_COMMANDS, useFactory: (commands: CommandBus) => new RecipientCommands(commands, 'email'), inject: [CommandBus] },
  { provide: SMS_COMMANDS, useFactory: (commands: CommandBus) => new RecipientCommands(commands, 'sms'), inject: [CommandBus] },
];
