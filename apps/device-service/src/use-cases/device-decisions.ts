import { Envelope, FieldError } from '@omni/contracts';
import { Decision, otherAggregatesOf } from '@omni/messaging';
import { Device } from '../domain/device';

/** The aggregate type of every device-service outcome (the read model gates visibility on it). */
export const DEVICE_AGGREGATE = 'device';

/**
 * The aggregate type of a command about all of a user's devices (its aggregate id is the userID).
 * The user has no version in this service: its outcome carries version 0, nothing to wait for.
 */
export const USER_AGGREGATE = 'user';

/** The answers device use cases share, so that one rule always reads the same to the client. */
export const DeviceDecisions = {
  /**
   * The device changed (or nothing needed to): its version, and the events (the device's own unless
   * given). Events of other devices (a move's old device) are waited for too.
   */
  accepted(device: Device, options: { created?: boolean; events?: readonly Envelope[] } = {}): Decision {
    const events = [...(options.events ?? device.events)];
    const otherAggregates = otherAggregatesOf(DEVICE_AGGREGATE, device.snapshot.deviceId, events);
    return Decision.accepted(DEVICE_AGGREGATE, device.snapshot.version, events, {
      ...(options.created === undefined ? {} : { created: options.created }),
      ...(otherAggregates.length > 0 ? { otherAggregates } : {}),
    });
  },

  /** A command about a user's devices was applied: the events of every device it changed (none when the user had none). */
  acceptedForUser(events: readonly Envelope[]): Decision {
    return Decision.accepted(USER_AGGREGATE, 0, [...events]);
  },

  /** Unknown, deactivated or replaced: to every command but register, the device does not exist. */
  notFound(): Decision {
    return Decision.rejected(DEVICE_AGGREGATE, 404, 'DEVICE_NOT_FOUND', 'device not found');
  },

  userRegistrationRestricted(): Decision {
    return Decision.rejected(DEVICE_AGGREGATE, 403, 'USER_REGISTRATION_RESTRICTED', 'user registration is restricted to the API');
  },

  /** The device would be one more active device of its user than the application allows. */
  channelLimitReached(limit: number): Decision {
    return Decision.rejected(
      DEVICE_AGGREGATE,
      409,
      'CHANNEL_LIMIT_REACHED',
      `the user already has ${limit} active push devices, the most this application allows (channelLimits.devicesPerUser): deactivate one, or raise the limit`,
    );
  },

  validationFailed(fields: FieldError[]): Decision {
    return Decision.rejected(DEVICE_AGGREGATE, 400, 'VALIDATION_FAILED', `invalid payload: ${fields.map((f) => f.message).join('; ')}`, fields);
  },
};
