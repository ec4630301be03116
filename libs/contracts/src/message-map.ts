import { UPDATE_USER, UpdateUserPayload } from './commands/user/update-user.command';
import { OVERRIDE_USER_DATA, OverrideUserDataPayload } from './commands/user/override-user-data.command';
import { USER_DATA_CHANGED, UserDataChangedPayload } from './events/user/user-data-changed.event';
import { REGISTER_DEVICE, RegisterDevicePayload } from './commands/device/register-device.command';
import { UPDATE_DEVICE, UpdateDevicePayload } from './commands/device/update-device.command';
import { DEACTIVATE_DEVICE, DeactivateDevicePayload } from './commands/device/deactivate-device.command';
import { ASSIGN_DEVICE_USER, AssignDeviceUserPayload } from './commands/device/assign-device-user.command';
import { REMOVE_DEVICE_USER, RemoveDeviceUserPayload } from './commands/device/remove-device-user.command';
import { ADD_DEVICE_TAGS, AddDeviceTagsPayload } from './commands/device/add-device-tags.command';
import { REMOVE_DEVICE_TAGS, RemoveDeviceTagsPayload } from './commands/device/remove-device-tags.command';
import { CLEAR_DEVICE_TAGS, ClearDeviceTagsPayload } from './commands/device/clear-device-tags.command';
import { OVERRIDE_DEVICE_USER_DATA, OverrideDeviceUserDataPayload } from './commands/device/override-device-user-data.command';
import { DEVICE_REGISTERED, DeviceRegisteredPayload } from './events/device/device-registered.event';
import { DEVICE_UPDATED, DeviceUpdatedPayload } from './events/device/device-updated.event';
import { DEVICE_DEACTIVATED, DeviceDeactivatedPayload } from './events/device/device-deactivated.event';
import { DEVICE_USER_ASSIGNED, DeviceUserAssignedPayload } from './events/device/device-user-assigned.event';
import { DEVICE_USER_REMOVED, DeviceUserRemovedPayload } from './events/device/device-user-removed.event';
import { DEVICE_TAGS_CHANGED, DeviceTagsChangedPayload } from './events/device/device-tags-changed.event';
import { DEVICE_USER_DATA_CHANGED, DeviceUserDataChangedPayload } from './events/device/device-user-data-changed.event';
import { DEVICE_REPLACED, DeviceReplacedPayload } from './events/device/device-replaced.event';
import { REGISTER_RECIPIENT, RegisterRecipientPayload } from './commands/recipient/register-recipient.command';
import { UPDATE_RECIPIENT, UpdateRecipientPayload } from './commands/recipient/update-recipient.command';
import { DEACTIVATE_RECIPIENT, DeactivateRecipientPayload } from './commands/recipient/deactivate-recipient.command';
import { ADD_RECIPIENT_TAGS, AddRecipientTagsPayload } from './commands/recipient/add-recipient-tags.command';
import { REMOVE_RECIPIENT_TAGS, RemoveRecipientTagsPayload } from './commands/recipient/remove-recipient-tags.command';
import { CLEAR_RECIPIENT_TAGS, ClearRecipientTagsPayload } from './commands/recipient/clear-recipient-tags.command';
import { CONFIRM_RECIPIENT, ConfirmRecipientPayload } from './commands/recipient/confirm-recipient.command';
import { RECIPIENT_REGISTERED, RecipientRegisteredPayload } from './events/recipient/recipient-registered.event';
import { RECIPIENT_UPDATED, RecipientUpdatedPayload } from './events/recipient/recipient-updated.event';
import { RECIPIENT_USER_ASSIGNED, RecipientUserAssignedPayload } from './events/recipient/recipient-user-assigned.event';
import { RECIPIENT_USER_REMOVED, RecipientUserRemovedPayload } from './events/recipient/recipient-user-removed.event';
import { RECIPIENT_DEACTIVATED, RecipientDeactivatedPayload } from './events/recipient/recipient-deactivated.event';
import { RECIPIENT_TAGS_CHANGED, RecipientTagsChangedPayload } from './events/recipient/recipient-tags-changed.event';
import { RECIPIENT_USER_DATA_CHANGED, RecipientUserDataChangedPayload } from './events/recipient/recipient-user-data-changed.event';
import {
  RECIPIENT_VERIFICATION_REQUESTED,
  RecipientVerificationRequestedPayload,
} from './events/recipient/recipient-verification-requested.event';
import { RECIPIENT_VERIFIED, RecipientVerifiedPayload } from './events/recipient/recipient-verified.event';
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

import { DEACTIVATE_USER, DeactivateUserPayload } from './commands/user/deactivate-user.command';
import { ERASE_USER, EraseUserPayload } from './commands/user/erase-user.command';
import { ERASE_DEVICE_USER, EraseDeviceUserPayload } from './commands/device/erase-device-user.command';
import { ERASE_RECIPIENT_USER, EraseRecipientUserPayload } from './commands/recipient/erase-recipient-user.command';
import { USER_DEACTIVATED, UserDeactivatedPayload } from './events/user/user-deactivated.event';
import { USER_ERASED, UserErasedPayload } from './events/user/user-erased.event';
import { DEVICE_USER_ERASED, DeviceUserErasedPayload } from './events/device/device-user-erased.event';
import { RECIPIENT_ERASED, RecipientErasedPayload } from './events/recipient/recipient-erased.event';
/** Every command type and its payload. Publishing and handling are type-checked against it. */
export interface CommandMap {
  [UPDATE_USER]: UpdateUserPayload;
  [OVERRIDE_USER_DATA]: OverrideUserDataPayload;
  [DEACTIVATE_USER]: DeactivateUserPayload;
  [ERASE_USER]: EraseUserPayload;
  [REGISTER_DEVICE]: RegisterDevicePayload;
  [UPDATE_DEVICE]: UpdateDevicePayload;
  [DEACTIVATE_DEVICE]: DeactivateDevicePayload;
  [ASSIGN_DEVICE_USER]: AssignDeviceUserPayload;
  [REMOVE_DEVICE_USER]: RemoveDeviceUserPayload;
  [ADD_DEVICE_TAGS]: AddDeviceTagsPayload;
  [REMOVE_DEVICE_TAGS]: RemoveDeviceTagsPayload;
  [CLEAR_DEVICE_TAGS]: ClearDeviceTagsPayload;
  [OVERRIDE_DEVICE_USER_DATA]: OverrideDeviceUserDataPayload;
  [ERASE_DEVICE_USER]: EraseDeviceUserPayload;
  [REGISTER_RECIPIENT]: RegisterRecipientPayload;
  [UPDATE_RECIPIENT]: UpdateRecipientPayload;
  [DEACTIVATE_RECIPIENT]: DeactivateRecipientPayload;
  [ADD_RECIPIENT_TAGS]: AddRecipientTagsPayload;
  [REMOVE_RECIPIENT_TAGS]: RemoveRecipientTagsPayload;
  [CLEAR_RECIPIENT_TAGS]: ClearRecipientTagsPayload;
  [CONFIRM_RECIPIENT]: ConfirmRecipientPayload;
  [ERASE_RECIPIENT_USER]: EraseRecipientUserPayload;
}

/** Every event type and its payload. */
export interface EventMap {
  [APPLICATION_CREATED]: ApplicationCreatedPayload;
  [APPLICATION_SETTINGS_CHANGED]: ApplicationSettingsChangedPayload;
  [APPLICATION_DELETED]: ApplicationDeletedPayload;
  [USER_REGISTERED]: UserRegisteredPayload;
  [USER_RENAMED]: UserRenamedPayload;
  [USER_DATA_CHANGED]: UserDataChangedPayload;
  [USER_DEACTIVATED]: UserDeactivatedPayload;
  [USER_ERASED]: UserErasedPayload;
  [DEVICE_REGISTERED]: DeviceRegisteredPayload;
  [DEVICE_UPDATED]: DeviceUpdatedPayload;
  [DEVICE_DEACTIVATED]: DeviceDeactivatedPayload;
  [DEVICE_USER_ASSIGNED]: DeviceUserAssignedPayload;
  [DEVICE_USER_REMOVED]: DeviceUserRemovedPayload;
  [DEVICE_TAGS_CHANGED]: DeviceTagsChangedPayload;
  [DEVICE_USER_DATA_CHANGED]: DeviceUserDataChangedPayload;
  [DEVICE_REPLACED]: DeviceReplacedPayload;
  [DEVICE_USER_ERASED]: DeviceUserErasedPayload;
  [RECIPIENT_REGISTERED]: RecipientRegisteredPayload;
  [RECIPIENT_UPDATED]: RecipientUpdatedPayload;
  [RECIPIENT_USER_ASSIGNED]: RecipientUserAssignedPayload;
  [RECIPIENT_USER_REMOVED]: RecipientUserRemovedPayload;
  [RECIPIENT_DEACTIVATED]: RecipientDeactivatedPayload;
  [RECIPIENT_TAGS_CHANGED]: RecipientTagsChangedPayload;
  [RECIPIENT_USER_DATA_CHANGED]: RecipientUserDataChangedPayload;
  [RECIPIENT_VERIFICATION_REQUESTED]: RecipientVerificationRequestedPayload;
  [RECIPIENT_VERIFIED]: RecipientVerifiedPayload;
  [RECIPIENT_ERASED]: RecipientErasedPayload;
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
  [OVERRIDE_USER_DATA]: OverrideUserDataPayload,
  [USER_REGISTERED]: UserRegisteredPayload,
  [USER_RENAMED]: UserRenamedPayload,
  [USER_DATA_CHANGED]: UserDataChangedPayload,
  [REGISTER_DEVICE]: RegisterDevicePayload,
  [UPDATE_DEVICE]: UpdateDevicePayload,
  [DEACTIVATE_DEVICE]: DeactivateDevicePayload,
  [ASSIGN_DEVICE_USER]: AssignDeviceUserPayload,
  [REMOVE_DEVICE_USER]: RemoveDeviceUserPayload,
  [ADD_DEVICE_TAGS]: AddDeviceTagsPayload,
  [REMOVE_DEVICE_TAGS]: RemoveDeviceTagsPayload,
  [CLEAR_DEVICE_TAGS]: ClearDeviceTagsPayload,
  [OVERRIDE_DEVICE_USER_DATA]: OverrideDeviceUserDataPayload,
  [DEVICE_REGISTERED]: DeviceRegisteredPayload,
  [DEVICE_UPDATED]: DeviceUpdatedPayload,
  [DEVICE_DEACTIVATED]: DeviceDeactivatedPayload,
  [DEVICE_USER_ASSIGNED]: DeviceUserAssignedPayload,
  [DEVICE_USER_REMOVED]: DeviceUserRemovedPayload,
  [DEVICE_TAGS_CHANGED]: DeviceTagsChangedPayload,
  [DEVICE_USER_DATA_CHANGED]: DeviceUserDataChangedPayload,
  [DEVICE_REPLACED]: DeviceReplacedPayload,
  [REGISTER_RECIPIENT]: RegisterRecipientPayload,
  [UPDATE_RECIPIENT]: UpdateRecipientPayload,
  [DEACTIVATE_RECIPIENT]: DeactivateRecipientPayload,
  [ADD_RECIPIENT_TAGS]: AddRecipientTagsPayload,
  [REMOVE_RECIPIENT_TAGS]: RemoveRecipientTagsPayload,
  [CLEAR_RECIPIENT_TAGS]: ClearRecipientTagsPayload,
  [CONFIRM_RECIPIENT]: ConfirmRecipientPayload,
  [RECIPIENT_REGISTERED]: RecipientRegisteredPayload,
  [RECIPIENT_UPDATED]: RecipientUpdatedPayload,
  [RECIPIENT_USER_ASSIGNED]: RecipientUserAssignedPayload,
  [RECIPIENT_USER_REMOVED]: RecipientUserRemovedPayload,
  [RECIPIENT_DEACTIVATED]: RecipientDeactivatedPayload,
  [RECIPIENT_TAGS_CHANGED]: RecipientTagsChangedPayload,
  [RECIPIENT_USER_DATA_CHANGED]: RecipientUserDataChangedPayload,
  [RECIPIENT_VERIFICATION_REQUESTED]: RecipientVerificationRequestedPayload,
  [RECIPIENT_VERIFIED]: RecipientVerifiedPayload,
  [DEACTIVATE_USER]: DeactivateUserPayload,
  [ERASE_USER]: EraseUserPayload,
  [USER_DEACTIVATED]: UserDeactivatedPayload,
  [USER_ERASED]: UserErasedPayload,
  [ERASE_DEVICE_USER]: EraseDeviceUserPayload,
  [DEVICE_USER_ERASED]: DeviceUserErasedPayload,
  [ERASE_RECIPIENT_USER]: EraseRecipientUserPayload,
  [RECIPIENT_ERASED]: RecipientErasedPayload,
  [COMMAND_ACCEPTED]: CommandAcceptedPayload,
  [COMMAND_REJECTED]: CommandRejectedPayload,
};

/** Schema version each type is currently produced with; a consumer rejects versions it does not know. */
export const SCHEMA_VERSIONS: { [K in MessageType]: readonly number[] } = {
  [APPLICATION_CREATED]: [1],
  [APPLICATION_SETTINGS_CHANGED]: [1],
  [APPLICATION_DELETED]: [1],
  [UPDATE_USER]: [1],
  [OVERRIDE_USER_DATA]: [1],
  [USER_REGISTERED]: [1],
  [USER_RENAMED]: [1],
  [USER_DATA_CHANGED]: [1],
  [REGISTER_DEVICE]: [1],
  [UPDATE_DEVICE]: [1],
  [DEACTIVATE_DEVICE]: [1],
  [ASSIGN_DEVICE_USER]: [1],
  [REMOVE_DEVICE_USER]: [1],
  [ADD_DEVICE_TAGS]: [1],
  [REMOVE_DEVICE_TAGS]: [1],
  [CLEAR_DEVICE_TAGS]: [1],
  [OVERRIDE_DEVICE_USER_DATA]: [1],
  [DEVICE_REGISTERED]: [1],
  [DEVICE_UPDATED]: [1],
  [DEVICE_DEACTIVATED]: [1],
  [DEVICE_USER_ASSIGNED]: [1],
  [DEVICE_USER_REMOVED]: [1],
  [DEVICE_TAGS_CHANGED]: [1],
  [DEVICE_USER_DATA_CHANGED]: [1],
  [DEVICE_REPLACED]: [1],
  [REGISTER_RECIPIENT]: [1],
  [UPDATE_RECIPIENT]: [1],
  [DEACTIVATE_RECIPIENT]: [1],
  [ADD_RECIPIENT_TAGS]: [1],
  [REMOVE_RECIPIENT_TAGS]: [1],
  [CLEAR_RECIPIENT_TAGS]: [1],
  [CONFIRM_RECIPIENT]: [1],
  [RECIPIENT_REGISTERED]: [1],
  [RECIPIENT_UPDATED]: [1],
  [RECIPIENT_USER_ASSIGNED]: [1],
  [RECIPIENT_USER_REMOVED]: [1],
  [RECIPIENT_DEACTIVATED]: [1],
  [RECIPIENT_TAGS_CHANGED]: [1],
  [RECIPIENT_USER_DATA_CHANGED]: [1],
  [RECIPIENT_VERIFICATION_REQUESTED]: [1],
  [RECIPIENT_VERIFIED]: [1],
  [DEACTIVATE_USER]: [1],
  [ERASE_USER]: [1],
  [USER_DEACTIVATED]: [1],
  [USER_ERASED]: [1],
  [ERASE_DEVICE_USER]: [1],
  [DEVICE_USER_ERASED]: [1],
  [ERASE_RECIPIENT_USER]: [1],
  [RECIPIENT_ERASED]: [1],
  [COMMAND_ACCEPTED]: [1],
  [COMMAND_REJECTED]: [1],
};

export function isMessageType(type: string): type is MessageType {
  return Object.prototype.hasOwnProperty.call(PAYLOAD_CLASSES, type);
}
