import { MessageHandler } from '@omni/messaging';
import { DeviceDeactivatedProjector } from './device/device-deactivated.projector';
import { DeviceRegisteredProjector } from './device/device-registered.projector';
import { DeviceReplacedProjector } from './device/device-replaced.projector';
import { DeviceTagsChangedProjector } from './device/device-tags-changed.projector';
import { DeviceUpdatedProjector } from './device/device-updated.projector';
import { DeviceUserAssignedProjector } from './device/device-user-assigned.projector';
import { DeviceUserDataChangedProjector } from './device/device-user-data-changed.projector';
import { DeviceUserRemovedProjector } from './device/device-user-removed.projector';
import { Projection } from './projection';
import { RecipientDeactivatedProjector } from './recipient/recipient-deactivated.projector';
import { RecipientRegisteredProjector } from './recipient/recipient-registered.projector';
import { RecipientTagsChangedProjector } from './recipient/recipient-tags-changed.projector';
import { RecipientUpdatedProjector } from './recipient/recipient-updated.projector';
import { RecipientUserAssignedProjector } from './recipient/recipient-user-assigned.projector';
import { RecipientUserDataChangedProjector } from './recipient/recipient-user-data-changed.projector';
import { RecipientUserRemovedProjector } from './recipient/recipient-user-removed.projector';
import { RecipientVerificationRequestedProjector } from './recipient/recipient-verification-requested.projector';
import { RecipientVerifiedProjector } from './recipient/recipient-verified.projector';
import { DeviceUserErasedProjector } from './device/device-user-erased.projector';
import { RecipientErasedProjector } from './recipient/recipient-erased.projector';
import { UserDeactivatedProjector } from './user/user-deactivated.projector';
import { UserErasedProjector } from './user/user-erased.projector';
import { UserDataChangedProjector } from './user/user-data-changed.projector';
import { UserRegisteredProjector } from './user/user-registered.projector';
import { UserRenamedProjector } from './user/user-renamed.projector';

/** One projector per event type it folds (each needs only the Projection). */
export const PROJECTORS = [
  UserRegisteredProjector,
  UserRenamedProjector,
  UserDataChangedProjector,
  UserDeactivatedProjector,
  UserErasedProjector,
  DeviceRegisteredProjector,
  DeviceUpdatedProjector,
  DeviceDeactivatedProjector,
  DeviceUserAssignedProjector,
  DeviceUserRemovedProjector,
  DeviceTagsChangedProjector,
  DeviceUserDataChangedProjector,
  DeviceReplacedProjector,
  DeviceUserErasedProjector,
  RecipientRegisteredProjector,
  RecipientUpdatedProjector,
  RecipientDeactivatedProjector,
  RecipientUserAssignedProjector,
  RecipientUserRemovedProjector,
  RecipientTagsChangedProjector,
  RecipientUserDataChangedProjector,
  RecipientVerificationRequestedProjector,
  RecipientVerifiedProjector,
  RecipientErasedProjector,
] as const;

/** The projectors outside Nest (replay, tests): the same classes, over the given Projection. */
export function createProjectors(projection: Projection): MessageHandler[] {
  return PROJECTORS.map((Projector) => new Projector(projection) as MessageHandler);
}
