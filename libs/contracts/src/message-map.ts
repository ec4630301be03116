import { UPDATE_USER, UpdateUserPayload } from './commands/user/update-user.command';
import { USER_REGISTERED, UserRegisteredPayload } from './events/user/user-registered.event';
import { USER_RENAMED, UserRenamedPayload } from './events/user/user-renamed.event';
import {
  COMMAND_ACCEPTED,
  COMMAND_REJECTED,
  CommandAcceptedPayload,
  CommandRejectedPayload,
} from './outcomes/command-outcome';
import { Envelope } from './envelope';
import { APPLICATION_CREATED, ApplicationCreatedPayload } from './events/application/application-created.event';
import { APPLICATION_DELETED, ApplicationDeletedPayload } from './events/application/application-deleted.event';
import {
  APPLICATION_SETTINGS_CHANGED,
  ApplicationSettingsChangedPayload,
} from './events/application/application-settings-changed.event';

/** Every command type and its payload. Publishing and handling are type-checked against it. */
export interface CommandMap {
  [UPDATE_USER]: UpdateUserPayload;
}

/** Every event type and its payload. */
export interface EventMap {
  [APPLICATION_CREATED]: ApplicationCreatedPayload;
  [APPLICATION_SETTINGS_CHANGED]: ApplicationSettingsChangedPayload;
  [APPLICATION_DELETED]: ApplicationDeletedPayload;
  [USER_REGISTERED]: UserRegisteredPayload;
  [USER_RENAMED]: UserRenamedPayload;
}

/** Outcome messages (command.outcomes). */
export interface OutcomeMap {
  [COMMAND_ACCEPTED]: CommandAcceptedPayload;
  [COMMAND_REJECTED]: CommandRejectedPayload;
}

export type MessageMap = CommandMap & EventMap & OutcomeMap;
export type MessageType = keyof MessageMap;
export type CommandType = keyof CommandMap;
export type EventType = keyof EventMap;

export type Message<T extends MessageType> = Envelope<T, MessageMap[T]>;
export type AnyCommand = { [K in CommandType]: Message<K> }[CommandType];
export type AnyEvent = { [K in EventType]: Message<K> }[EventType];

type PayloadClasses<M> = { [K in keyof M]: new () => M[K] };

/** Payload classes (class-validator) per type, for validating messages as they are received. */
export const PAYLOAD_CLASSES: PayloadClasses<MessageMap> = {
  [APPLICATION_CREATED]: ApplicationCreatedPayload,
  [APPLICATION_SETTINGS_CHANGED]: ApplicationSettingsChangedPayload,
  [APPLICATION_DELETED]: ApplicationDeletedPayload,
  [UPDATE_USER]: UpdateUserPayload,
  [USER_REGISTERED]: UserRegisteredPayload,
  [USER_RENAMED]: UserRenamedPayload,
  [COMMAND_ACCEPTED]: CommandAcceptedPayload,
  [COMMAND_REJECTED]: CommandRejectedPayload,
};

/** Schema version each type is currently produced with; a consumer rejects versions it does not know. */
export const SCHEMA_VERSIONS: { [K in MessageType]: readonly number[] } = {
  [APPLICATION_CREATED]: [1],
  [APPLICATION_SETTINGS_CHANGED]: [1],
  [APPLICATION_DELETED]: [1],
  [UPDATE_USER]: [1],
  [USER_REGISTERED]: [1],
  [USER_RENAMED]: [1],
  [COMMAND_ACCEPTED]: [1],
  [COMMAND_REJECTED]: [1],
};

export function isMessageType(type: string): type is MessageType {
  return Object.prototype.hasOwnProperty.call(PAYLOAD_CLASSES, type);
}
