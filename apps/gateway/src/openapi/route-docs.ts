import type { HeadersObject, SchemaObject } from '@nestjs/swagger';
import { ErrorSpec } from './errors';
import { ResponseSchemas } from './response-schemas';
import { Schema, userDataMapSchema } from './schema-registry';

/** One success answer of a route. */
export interface SuccessSpec {
  description: string;
  schema?: Schema;
  example?: unknown;
  headers?: HeadersObject;
}

/**
 * What the code's metadata cannot say about a route: its summary, the reference operation it
 * implements (operationId, tag, answers and their messages), a body the handler reads itself
 * (`body: unknown`), and its own errors. Everything else (method, path, parameters, body DTO,
 * credentials, write headers, the usual errors) is read from the controllers.
 */
export interface RouteDoc {
  summary: string;
  description?: string;
  /** The reference's operationId where the route exists there. */
  operationId?: string;
  tag: string;
  /** The reference document the route follows. */
  reference?: 'Notificare REST API' | 'Notificare SDK API';
  responses: Record<number, SuccessSpec>;
  /** For handlers that take `@Body() body: unknown` and read it themselves. */
  requestBody?: { schema: Schema; description?: string };
  requestExample?: unknown;
  /** Descriptions and defaults of query parameters (their names and rules come from the query DTO). */
  query?: Record<string, { description: string; default?: unknown; example?: unknown }>;
  /** The 404 code of the route (false: it answers no 404). */
  notFound?: { code: string; message: string } | false;
  errors?: Record<number, ErrorSpec>;
}

export const PUSH_API = 'Notificare REST API';
export const SDK_API = 'Notificare SDK API';

const DEVICE_NOT_FOUND = { code: 'DEVICE_NOT_FOUND', message: 'device not found' };
const RECIPIENT_NOT_FOUND = { code: 'RECIPIENT_NOT_FOUND', message: 'recipient not found' };
const USER_NOT_FOUND = { code: 'USER_NOT_FOUND', message: 'user not found' };
const APPLICATION_NOT_FOUND = { code: 'APPLICATION_NOT_FOUND', message: 'application not found' };
const FIELD_NOT_FOUND = { code: 'USER_DATA_FIELD_NOT_FOUND', message: 'user data field not found' };

const REGION_STATE_NOT_FOUND = { code: 'REGION_STATE_NOT_FOUND', message: 'region state not found' };

/** A Do Not Disturb period (SDK API: /device/{deviceID}/dnd). */
const DND_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['start', 'end'],
  properties: {
    start: { type: 'string', pattern: '^([01]\\d|2[0-3]):[0-5]\\d$', example: '23:00', description: '`HH:mm`, 24-hour.' },
    end: { type: 'string', pattern: '^([01]\\d|2[0-3]):[0-5]\\d$', example: '07:00', description: '`HH:mm`, 24-hour.' },
  },
};

/** The reference's DeviceTagList: tags with their device counts, and how many tags there are. */
const DEVICE_TAG_LIST_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['tags', 'count'],
  properties: {
    tags: {
      type: 'array',
      items: { type: 'object', required: ['tag', 'deviceCount'], properties: { tag: { type: 'string', example: 'toys' }, deviceCount: { type: 'integer', example: 2 } } },
    },
    count: { type: 'integer', example: 2 },
  },
};

/** The reference's RegionState (never answered: there are no geofence regions or beacons). */
const REGION_STATE_SCHEMA: SchemaObject = {
  type: 'object',
  properties: {
    deviceID: { type: 'string' },
    source: { type: 'string', description: 'The region or beacon.' },
    state: { type: 'string', enum: ['in', 'out'] },
    since: { type: 'string', format: 'date-time' },
  },
};

const PAGE = {
  skip: { description: 'The number of results to skip.', default: 0, example: 0 },
  limit: { description: 'The maximum number of results to retrieve (at most 1000).', default: 100, example: 10 },
};
const DEVICE_PAGE = {
  ...PAGE,
  medium: { description: 'The medium of the devices: `push`, `email`, `sms` or `all`.', default: 'push', example: 'push' },
};

/** The body of PUT /device/{deviceID}/userdata and /userdata/override: wrapped (push API) or flat (SDK API). */
function userDataBody(form: 'flat first' | 'wrapped first'): { schema: SchemaObject; description: string } {
  const wrapped: SchemaObject = { type: 'object', required: ['userData'], properties: { userData: userDataMapSchema(true) } };
  const flat = userDataMapSchema(true);
  return {
    description:
      'The user data fields to set, wrapped (`{"userData": {"firstName": "John"}}`, as the push API documents it) or flat ' +
      '(`{"firstName": "John"}`, as the SDK API documents it); null clears a field. Keys and types are checked against the application\'s user data fields.',
    schema: { oneOf: form === 'flat first' ? [flat, wrapped] : [wrapped, flat] },
  };
}

function message(text: string, description = 'OK'): (schemas: ResponseSchemas) => SuccessSpec {
  return (schemas) => ({ description, schema: schemas.message, example: { message: text } });
}

/** The routes of GATEWAY_CONTROLLERS, by `METHOD /openapi/{path}`. */
export function routeDocs(schemas: ResponseSchemas): Record<string, RouteDoc> {
  const ok = (text: string, description?: string) => message(text, description)(schemas);
  const deviceLimit = {
    409: {
      description:
        '`CHANNEL_LIMIT_REACHED`: the device would be one more active push device of its user than the application allows (`channelLimits.devicesPerUser` in the settings); nothing was written.',
      code: 'CHANNEL_LIMIT_REACHED',
      message: 'the user already has 20 active push devices, the most this application allows (channelLimits.devicesPerUser): deactivate one, or raise the limit',
    },
  };
  const recipientRoutes = (channel: 'email' | 'sms'): Record<string, RouteDoc> => {
    const base = `/${channel}`;
    const Tag = channel === 'email' ? 'Email' : 'SMS';
    const Name = channel === 'email' ? 'Email' : 'Sms';
    const what = channel === 'email' ? 'Email Contact' : 'SMS Number';
    const updated = channel === 'email' ? 'email contact updated' : 'sms number updated';
    const common = { tag: Tag, reference: PUSH_API, notFound: RECIPIENT_NOT_FOUND } as const;
    const contactLimit = {
      409: {
        description:
          '`CHANNEL_LIMIT_REACHED`: the user already has as many email contacts and SMS numbers (active, or pending verification) as the application allows (`channelLimits.contactsPerUser` in the settings); nothing was written.',
        code: 'CHANNEL_LIMIT_REACHED',
        message: 'the user already has 20 email contacts and SMS numbers, the most this application allows (channelLimits.contactsPerUser): deactivate one, or raise the limit',
      },
    };
    return {
      [`POST ${base}`]: {
        ...common,
        notFound: false,
        summary: `Create ${what}`,
        description:
          channel === 'email'
            ? 'Create an email contact, or update (and reactivate) the one this address already is. The answer\'s `device.deviceID` is the contact\'s id for /email/{deviceID}.'
            : 'Create an SMS number (international, or national with `region`), or update (and reactivate) the one this number already is. The answer\'s `device.deviceID` is the number\'s id for /sms/{deviceID}.',
        operationId: `post${Name}`,
        requestExample:
          channel === 'email'
            ? { email: 'myemail@domain.com', userID: 'U123456789', userName: 'John Doe', language: 'en', tags: ['newsletter'] }
            : { phone: '+31612345678', userID: 'U123456789', region: 'NL' },
        responses: {
          200: { description: 'OK: an address the application already had (however spelled).', schema: schemas.deviceMessage, example: { message: 'subscription updated', device: { id: 'email-Xq2c8bWl0nWJ3aQkY9vT1g', deviceID: 'email-Xq2c8bWl0nWJ3aQkY9vT1g' } } },
          201: { description: 'Created.', schema: schemas.deviceMessage, example: { message: 'subscription created', device: { id: 'email-Xq2c8bWl0nWJ3aQkY9vT1g', deviceID: 'email-Xq2c8bWl0nWJ3aQkY9vT1g' } } },
          202: { description: 'Accepted: being processed (`Prefer: respond-async`, or not yet visible).', schema: schemas.recipientAccepted },
        },
        errors: contactLimit,
      },
      [`PUT ${base}/{deviceID}`]: {
        ...common,
        summary: `Update ${what}`,
        operationId: `put${Name}`,
        description:
          'Change the contact (never its address). `userData` of a contact that belongs to a user (or that the body gives a `userID`) is the user\'s data: it shows in the user\'s profile and on all of their channels.',
        responses: {
          200: ok(updated),
          202: {
            description: 'Accepted: being processed (`Prefer: respond-async`, or not yet visible).',
            schema: schemas.commandAccepted,
            example: { message: `${updated}, pending validation`, commandId: '6f1c9e0a-4d2b-4c1e-9f57-0b8e5d6a7c31', status: 'pending' },
          },
        },
        errors: contactLimit,
      },
      [`DELETE ${base}/{deviceID}`]: {
        ...common,
        summary: `Deactivate ${what}`,
        operationId: `delete${Name}`,
        responses: { 204: { description: 'No Content: deactivated.' } },
      },
      [`PUT ${base}/{deviceID}/cleartags`]: { ...common, summary: `Clear Tags For ${what}`, operationId: `put${Name}ClearTags`, responses: { 200: ok('tags cleared') } },
      [`PUT ${base}/{deviceID}/addtags`]: {
        ...common,
        summary: `Add Tags For ${what}`,
        operationId: `put${Name}AddTags`,
        requestExample: { tags: ['tag1', 'tag2'] },
        responses: { 200: ok('tags added') },
      },
      [`PUT ${base}/{deviceID}/removetags`]: {
        ...common,
        summary: `Remove Tags For ${what}`,
        operationId: `put${Name}RemoveTags`,
        requestExample: { tags: ['tag1'] },
        responses: { 200: ok('tags removed') },
      },
      [`PUT ${base}/{deviceID}/confirm`]: {
        tag: Tag,
        notFound: RECIPIENT_NOT_FOUND,
        summary: `Confirm ${what}`,
        description: 'Verify a contact waiting for verification (`"verify": true`) with the single-use token it was sent; it becomes active and verified.',
        responses: { 200: ok(channel === 'email' ? 'email contact verified' : 'sms number verified') },
        errors: {
          400: { description: 'Invalid input, or `INVALID_TOKEN`: wrong, expired, already used, or nothing pending.', code: 'INVALID_TOKEN', message: 'the verification token is invalid or has expired', fields: [{ field: 'token', message: 'token is invalid or has expired' }] },
        },
      },
    };
  };

  const sdkDevice = { tag: 'Device', reference: SDK_API, notFound: DEVICE_NOT_FOUND } as const;
  const pushDevice = { tag: 'Device', reference: PUSH_API, notFound: DEVICE_NOT_FOUND } as const;
  const deviceUpdated = ok('device updated');
  const deviceList: SuccessSpec = { description: 'OK', schema: schemas.deviceList };
  const deviceTagList: SuccessSpec = {
    description: 'OK',
    schema: DEVICE_TAG_LIST_SCHEMA,
    example: { tags: [{ tag: 'kitchen', deviceCount: 5 }, { tag: 'toys', deviceCount: 2 }], count: 2 },
  };
  const regionState: SuccessSpec = { description: 'OK (never: there are no region states).', schema: { type: 'object', properties: { regionState: REGION_STATE_SCHEMA } } };

  return {
    // Admin: the application registry.
    'POST /admin/applications': {
      tag: 'Admin',
      summary: 'Create an application',
      description: 'Creates an application with its key and two secrets; the secrets are shown only in this answer.',
      requestExample: { name: 'My App' },
      responses: { 201: { description: 'Created.', schema: { type: 'object', required: ['application'], properties: { application: schemas.createdApplication } } } },
    },
    'GET /admin/applications': {
      tag: 'Admin',
      summary: 'List applications',
      query: PAGE,
      responses: { 200: { description: 'OK', schema: schemas.applicationList } },
    },
    'GET /admin/applications/{applicationKey}': {
      tag: 'Admin',
      summary: 'Get an application',
      notFound: APPLICATION_NOT_FOUND,
      responses: { 200: { description: 'OK', schema: { type: 'object', required: ['application'], properties: { application: schemas.application } } } },
    },
    'PUT /admin/applications/{applicationKey}': {
      tag: 'Admin',
      summary: 'Rename an application',
      notFound: APPLICATION_NOT_FOUND,
      requestExample: { name: 'My Renamed App' },
      responses: { 200: { description: 'OK', schema: { type: 'object', required: ['application'], properties: { application: schemas.application } } } },
    },
    'POST /admin/applications/{applicationKey}/rotate': {
      tag: 'Admin',
      summary: 'Replace a secret',
      description: 'The old secret stops working at once on every gateway; the new one is shown only in this answer.',
      notFound: APPLICATION_NOT_FOUND,
      requestExample: { secret: 'master' },
      responses: {
        200: {
          description: 'OK: the new secret.',
          schema: {
            type: 'object',
            required: ['applicationKey'],
            properties: { applicationKey: { type: 'string' }, masterSecret: { type: 'string' }, applicationSecret: { type: 'string' } },
            description: '`masterSecret` or `applicationSecret`, whichever was replaced.',
          },
        },
      },
    },
    'DELETE /admin/applications/{applicationKey}': {
      tag: 'Admin',
      summary: 'Delete an application',
      notFound: APPLICATION_NOT_FOUND,
      responses: { 204: { description: 'No Content: deleted; its credentials stop working.' } },
    },

    // The application's settings (master secret) and info (SDK).
    'GET /application/settings': {
      tag: 'Application',
      summary: 'Get the application settings',
      notFound: APPLICATION_NOT_FOUND,
      responses: { 200: { description: 'OK', schema: { type: 'object', required: ['settings'], properties: { settings: schemas.settings } } } },
    },
    'PUT /application/settings': {
      tag: 'Application',
      summary: 'Change the application settings',
      description: 'The given parts replace the current ones; omitted parts stay. Services apply a change within a second.',
      notFound: APPLICATION_NOT_FOUND,
      requestExample: { userRegistration: 'api', userDataFields: [{ key: 'firstName', label: 'First name', type: 'text' }], channelLimits: { devicesPerUser: 10 } },
      responses: { 200: { description: 'OK', schema: { type: 'object', required: ['settings'], properties: { settings: schemas.settings } } } },
    },
    'GET /application/userdatafields': {
      tag: 'Application',
      summary: 'List the user data fields',
      notFound: APPLICATION_NOT_FOUND,
      responses: { 200: { description: 'OK', schema: { type: 'object', required: ['userDataFields'], properties: { userDataFields: { type: 'array', items: schemas.userDataField } } } } },
    },
    'POST /application/userdatafields': {
      tag: 'Application',
      summary: 'Define a user data field',
      notFound: APPLICATION_NOT_FOUND,
      requestExample: { key: 'plan', label: 'Plan', type: 'enum', values: ['free', 'pro'], required: false },
      responses: { 201: { description: 'Created.', schema: { type: 'object', required: ['userDataField'], properties: { userDataField: schemas.userDataField } } } },
      errors: { 409: { description: 'A field with this key exists.', code: 'USER_DATA_FIELD_EXISTS', message: 'user data field "plan" exists', fields: [{ field: 'key', message: 'already defined' }] } },
    },
    'GET /application/userdatafields/{key}': {
      tag: 'Application',
      summary: 'Get a user data field',
      notFound: FIELD_NOT_FOUND,
      responses: { 200: { description: 'OK', schema: { type: 'object', required: ['userDataField'], properties: { userDataField: schemas.userDataField } } } },
    },
    'PUT /application/userdatafields/{key}': {
      tag: 'Application',
      summary: 'Replace a user data field definition',
      notFound: FIELD_NOT_FOUND,
      requestExample: { label: 'Plan', type: 'enum', values: ['free', 'pro', 'team'] },
      responses: { 200: { description: 'OK', schema: { type: 'object', required: ['userDataField'], properties: { userDataField: schemas.userDataField } } } },
    },
    'DELETE /application/userdatafields/{key}': {
      tag: 'Application',
      summary: 'Remove a user data field',
      description: 'Values profiles hold stay (no longer validated); writing the field is refused until it is defined again.',
      notFound: FIELD_NOT_FOUND,
      responses: { 204: { description: 'No Content: removed.' } },
    },
    'GET /application/info': {
      tag: 'Application',
      reference: SDK_API,
      operationId: 'getApplicationInfo',
      summary: 'Retrieve information about the application',
      notFound: APPLICATION_NOT_FOUND,
      responses: { 200: { description: 'OK', schema: { type: 'object', required: ['application'], properties: { application: schemas.applicationInfo } } } },
    },

    // Users (master secret).
    'GET /user/foruserid/{userID}': {
      tag: 'User',
      reference: PUSH_API,
      operationId: 'getUserForUserID',
      summary: 'Get User By userID',
      notFound: USER_NOT_FOUND,
      responses: { 200: { description: 'OK', schema: { type: 'object', required: ['user'], properties: { user: schemas.user } } } },
    },
    'PUT /user/foruserid/{userID}': {
      tag: 'User',
      reference: PUSH_API,
      operationId: 'putUserForUserID',
      summary: 'Update User By userID',
      description: 'Create the user, or rename them.',
      notFound: false,
      requestExample: { userName: 'Massimo Gondoliere' },
      responses: { 200: ok('user updated') },
    },
    'PUT /user/foruserid/{userID}/userdata/override': {
      tag: 'User',
      reference: PUSH_API,
      operationId: 'putUserForUserIDUserdataOverride',
      summary: 'Update User Data For User Devices By userID',
      description: 'Set the user\'s data: the given fields replace their values, null clears a field, the others stay. A userID the application does not have yet is created (as by `PUT /user/foruserid/{userID}`).',
      notFound: false,
      requestExample: { userData: { firstName: 'John', lastName: 'Doe' } },
      responses: { 200: ok('devices user data updated') },
    },
    'DELETE /user/foruserid/{userID}': {
      tag: 'User',
      reference: PUSH_API,
      operationId: 'deleteUserForUserID',
      summary: 'Deactivate User By userID',
      description: 'Hidden from lists and messaging until one of the user\'s channels registers again.',
      notFound: USER_NOT_FOUND,
      responses: { 204: { description: 'No Content' } },
    },
    'DELETE /user/foruserid/{userID}/remove': {
      tag: 'User',
      reference: PUSH_API,
      operationId: 'deleteUserForUserIDRemove',
      summary: 'Delete User By userID',
      description:
        'Erase the user: devices stay registered but anonymous, email and SMS contacts are removed, and no personal data of the user remains in any table, the read model or the profile snapshots; a replay of the event topics does not bring it back (the user\'s key is deleted). Asynchronous: 202 at once; repeated while in progress 202, afterwards 404.',
      notFound: USER_NOT_FOUND,
      responses: { 202: { ...ok('user removal is being processed'), description: 'Accepted' } },
    },
    'GET /user/foruserid/{userID}/profile': {
      tag: 'User',
      summary: 'Get the unified profile of a user',
      notFound: USER_NOT_FOUND,
      responses: { 200: { description: 'OK', schema: { type: 'object', required: ['profile'], properties: { profile: schemas.profile } } } },
    },

    // Commands.
    'GET /command/{commandId}': {
      tag: 'Command',
      summary: 'Get the state of a write answered 202',
      notFound: { code: 'COMMAND_NOT_FOUND', message: 'command not found' },
      responses: { 200: { description: 'OK', schema: schemas.commandState } },
    },

    // Devices: the SDK's routes (application secret, or master secret).
    'POST /device': {
      ...sdkDevice,
      notFound: false,
      operationId: 'postDevice',
      summary: 'Register a device',
      description:
        'Register a device, new or known (a deactivated one comes back). If the deviceID changed, send the old one in `oldDeviceID`: ' +
        'its user, tags and user data move here. A `userID` with the application secret when user registration is `api` is 403 `USER_REGISTRATION_RESTRICTED`.',
      requestExample: { deviceID: '00a9b9bf-c099-45aa-9278-64d6a3f22476', platform: 'Web', transport: 'WebPush', language: 'en', userID: 'U123456789', userName: 'John Doe' },
      responses: {
        200: ok('device updated', 'OK: a known device.'),
        201: { description: 'Created: a new deviceID.', schema: schemas.deviceRegistered, example: { device: { deviceID: '00a9b9bf-c099-45aa-9278-64d6a3f22476', message: 'device updated' } } },
      },
      errors: {
        403: { description: 'Credentials this route does not accept, or `USER_REGISTRATION_RESTRICTED`.', code: 'USER_REGISTRATION_RESTRICTED', message: 'user registration is restricted to the API' },
        ...deviceLimit,
      },
    },
    'PUT /device/{deviceID}': { ...sdkDevice, operationId: 'putDevice', summary: 'Update an existing device', requestExample: { language: 'nl', region: 'NL', timeZoneOffset: 1 }, responses: { 200: deviceUpdated } },
    'DELETE /device/{deviceID}': {
      ...sdkDevice,
      operationId: 'deleteDevice',
      summary: 'Delete an existing device',
      description: 'Deactivate: the device leaves the lists and receives nothing until it registers again.',
      responses: { 200: ok('device deactivated') },
    },
    'GET /device/{deviceID}/tags': {
      ...sdkDevice,
      operationId: 'getDeviceTags',
      summary: 'Get all the tags for a device',
      responses: { 200: { description: 'OK', schema: { type: 'object', required: ['tags'], properties: { tags: { type: 'array', items: { type: 'string' } } } }, example: { tags: ['one_tag', 'two_tags'] } } },
    },
    'PUT /device/{deviceID}/addtag': { ...sdkDevice, operationId: 'putDeviceAddTag', summary: 'Add a tag to a device', requestExample: { tag: 'one_tag' }, responses: { 200: deviceUpdated } },
    'PUT /device/{deviceID}/removetag': { ...sdkDevice, operationId: 'putDeviceRemoveTag', summary: 'Remove a tag from a device', requestExample: { tag: 'one_tag' }, responses: { 200: deviceUpdated } },
    'PUT /device/{deviceID}/addtags': {
      ...sdkDevice,
      operationId: 'putDeviceAddTags',
      summary: 'Add one or more tags to a device',
      requestExample: { tags: ['one_tag', 'two_tags'] },
      responses: { 200: deviceUpdated },
    },
    'PUT /device/{deviceID}/removetags': {
      ...sdkDevice,
      operationId: 'putDeviceRemoveTags',
      summary: 'Remove one or more tags from a device',
      requestExample: { tags: ['one_tag', 'two_tags'] },
      responses: { 200: deviceUpdated },
    },
    'PUT /device/{deviceID}/cleartags': { ...sdkDevice, operationId: 'putDeviceClearTags', summary: 'Clear all tags from a device', responses: { 200: deviceUpdated } },
    'GET /device/{deviceID}/userdata': {
      ...sdkDevice,
      operationId: 'getDeviceUserData',
      summary: "Get the device's User Data",
      description: "The user's data when the device has a user, else the device's own.",
      responses: { 200: { description: 'OK', schema: { type: 'object', required: ['userData'], properties: { userData: schemas.userDataMap } }, example: { userData: { firstName: 'John', lastName: 'Doe' } } } },
    },
    'PUT /device/{deviceID}/userdata': {
      ...sdkDevice,
      operationId: 'putDeviceUserData',
      summary: "Update the device's User Data",
      requestBody: userDataBody('flat first'),
      requestExample: { firstName: 'John', lastName: 'Doe' },
      responses: { 200: deviceUpdated },
    },
    'GET /device/{deviceID}/dnd': {
      ...sdkDevice,
      operationId: 'getDeviceDnd',
      summary: "Get the device's Do Not Disturb period",
      description: '`{"dnd": {"start", "end"}}`, or `{"dnd": null}` when the device has none.',
      responses: { 200: { description: 'OK', schema: { type: 'object', required: ['dnd'], properties: { dnd: { ...DND_SCHEMA, nullable: true } } }, example: { dnd: { start: '23:00', end: '07:00' } } } },
    },
    'PUT /device/{deviceID}/dnd': {
      ...sdkDevice,
      operationId: 'putDeviceDnd',
      summary: "Update the device's Do Not Disturb period",
      description: 'A device update (its `dnd` property). Problems are named `dnd.start` and `dnd.end`.',
      requestBody: { schema: DND_SCHEMA, description: 'The period: `start` and `end`, each `HH:mm` (24-hour); an `end` before `start` runs past midnight.' },
      requestExample: { start: '23:00', end: '07:00' },
      responses: { 200: deviceUpdated },
    },
    'PUT /device/{deviceID}/cleardnd': { ...sdkDevice, operationId: 'putDeviceClearDnd', summary: "Clear the device's Do Not Disturb period", responses: { 200: deviceUpdated } },

    // Devices: the backend's routes (master secret).
    'GET /device': {
      ...pushDevice,
      notFound: false,
      operationId: 'getDevice',
      query: DEVICE_PAGE,
      summary: 'List Devices',
      description: 'The application\'s active devices of a medium (default push); at most 1000 per page (default 100).',
      responses: { 200: { description: 'OK', schema: schemas.deviceList } },
    },
    'GET /device/foruser/{userID}': {
      ...pushDevice,
      notFound: false,
      operationId: 'getDeviceForUser',
      query: DEVICE_PAGE,
      summary: 'List Devices For User',
      description: 'A user\'s active devices of a medium (default push); an unknown user has none. At most 1000 per page (default 100).',
      responses: { 200: { description: 'OK', schema: schemas.deviceList } },
    },
    'GET /device/{deviceID}': {
      ...pushDevice,
      operationId: 'getDeviceById',
      query: { active: { description: '`true`: active devices only; `false`: inactive ones only; `any`: both.', default: 'true', example: 'any' } },
      summary: 'Get Device',
      description: 'A push device, or an active email contact or SMS number by the `deviceID` its POST answered (medium `email` or `sms`). Inactive push devices only with `active=any` (or `false`).',
      responses: { 200: { description: 'OK', schema: { type: 'object', required: ['device'], properties: { device: schemas.device } } } },
    },
    'PUT /device/{deviceID}/user': {
      ...pushDevice,
      operationId: 'putDeviceUser',
      summary: 'Register User To Device',
      requestExample: { userID: '12345678', userName: 'John Doe' },
      responses: { 200: deviceUpdated },
      errors: deviceLimit,
    },
    'DELETE /device/{deviceID}/user': { ...pushDevice, operationId: 'deleteDeviceUser', summary: 'Unregister User From Device', responses: { 200: deviceUpdated } },
    'PUT /device/{deviceID}/userdata/override': {
      ...pushDevice,
      operationId: 'putDeviceUserdataOverride',
      summary: 'Update User Data For Device',
      requestBody: userDataBody('wrapped first'),
      requestExample: { userData: { firstName: 'John', lastName: 'Doe' } },
      responses: { 200: ok('device user data updated') },
    },

    // Devices: the backend's queries (master secret), of the application's active devices.
    'POST /device/bygeometry': {
      ...pushDevice,
      notFound: false,
      operationId: 'postDeviceByGeometry',
      query: DEVICE_PAGE,
      summary: 'List Devices For Polygon',
      description:
        'Devices whose location is inside a GeoJSON polygon (its first ring, edges included; outside the other rings, its holes), on the plane of longitude and latitude. ' +
        'Each ring is closed (its last position is its first) with at least 4 positions [longitude, latitude]. At most 1000 per page (default 100).',
      requestExample: { geometry: { type: 'Polygon', coordinates: [[[4.7, 52.3], [5.1, 52.3], [5.1, 52.5], [4.7, 52.5], [4.7, 52.3]]] } },
      responses: { 200: deviceList },
    },
    'GET /device/bylocation/{lat1}/{long1}/{lat2}/{long2}': {
      ...pushDevice,
      notFound: false,
      operationId: 'getDeviceForBounds',
      query: DEVICE_PAGE,
      summary: 'List Devices For Bounds',
      description:
        'Devices whose location is inside the box of two opposite corners (degrees, in either order: latitudes between the two, longitudes between the two; a box never crosses the antimeridian). At most 1000 per page (default 100).',
      responses: { 200: deviceList },
    },
    'GET /device/bylocation/{latitude}/{longitude}/{distance}': {
      ...pushDevice,
      notFound: false,
      operationId: 'getDeviceByLocation',
      query: DEVICE_PAGE,
      summary: 'List Devices By Location',
      description: 'Devices whose location is at most `distance` **kilometres** (great-circle) from the point. At most 1000 per page (default 100).',
      responses: { 200: deviceList },
    },
    'GET /device/forregion/{region}': {
      ...pushDevice,
      notFound: false,
      operationId: 'getDeviceForRegion',
      query: DEVICE_PAGE,
      summary: 'List Devices For Region',
      description:
        'Devices whose `region` property (the region or country code the device or contact reports, e.g. `NL`; any letter case) is `region`. ' +
        'There are no geofence regions here: a geofence region id matches no device. At most 1000 per page (default 100).',
      responses: { 200: deviceList },
    },
    'GET /device/forsubscription/{subscription}': {
      ...pushDevice,
      notFound: false,
      operationId: 'getDeviceForSubscription',
      query: { medium: DEVICE_PAGE.medium },
      summary: 'Get Device For Subscription',
      description: "The device of a subscription id — a push device's deviceID, an email contact's address, an SMS number's phone number — as a list (empty, or one device per medium).",
      responses: { 200: deviceList },
    },
    'GET /device/search/{search}': {
      ...pushDevice,
      notFound: false,
      operationId: 'getDeviceForSearchString',
      query: DEVICE_PAGE,
      summary: 'Get Device For Search String',
      description:
        'A device whose deviceID is the search string is the only answer; otherwise push devices whose deviceID (their subscription id) is it, and email contacts and SMS numbers whose address contains it (any letter case).',
      responses: { 200: deviceList },
    },
    'GET /device/fortag/{tag}': {
      ...pushDevice,
      notFound: false,
      operationId: 'getDeviceForTag',
      query: DEVICE_PAGE,
      summary: 'List Devices For Tag',
      description: 'Devices that have the tag. At most 1000 per page (default 100).',
      responses: { 200: deviceList },
    },
    'GET /device/fortag/{tag}/count': {
      ...pushDevice,
      notFound: false,
      operationId: 'getDeviceForTagCount',
      query: { medium: DEVICE_PAGE.medium },
      summary: 'Count Devices For Tag',
      responses: { 200: { description: 'OK', schema: { type: 'object', required: ['count'], properties: { count: { type: 'integer', example: 2 } } } } },
    },
    'GET /device/foruser/{userID}/fornotification/{notification}': {
      ...pushDevice,
      notFound: false,
      operationId: 'getDeviceForUserForNotification',
      summary: 'List Devices For User For Notification',
      description: "The user's push devices that have the notification in their inbox. There is no notification inbox here: always empty.",
      responses: { 200: { ...deviceList, example: { devices: [], count: 0 } } },
    },
    'GET /device/tags': {
      ...pushDevice,
      tag: 'Tag',
      notFound: false,
      operationId: 'getDeviceTags',
      query: PAGE,
      summary: 'List Tags',
      description: "The application's tags (of its active devices, email contacts and SMS numbers), by tag, each with how many devices have it; `count` is the number of tags. At most 1000 per page (default 100).",
      responses: { 200: deviceTagList },
    },
    'GET /device/tags/{tag}': {
      ...pushDevice,
      tag: 'Tag',
      notFound: false,
      operationId: 'getDeviceTagsForTag',
      query: PAGE,
      summary: 'Search Tags',
      description: 'The tags that contain the string (any letter case), as GET /device/tags.',
      responses: { 200: deviceTagList },
    },
    'GET /device/{deviceID}/regionstate': {
      ...pushDevice,
      operationId: 'getDeviceRegionStatesById',
      summary: 'List Device Region States',
      description: 'There are no geofence regions or beacons here: an active device has no region states.',
      responses: {
        200: {
          description: 'OK',
          schema: { type: 'object', required: ['regionStates', 'count'], properties: { regionStates: { type: 'array', items: REGION_STATE_SCHEMA }, count: { type: 'integer', example: 0 } } },
          example: { regionStates: [], count: 0 },
        },
      },
    },
    'GET /device/{deviceID}/regionstate/forregion/{region}': {
      ...pushDevice,
      operationId: 'getDeviceRegionStateForRegion',
      summary: 'Get Device Region State For Region',
      description: 'There are no geofence regions here: 404 `REGION_STATE_NOT_FOUND` for an active device, `DEVICE_NOT_FOUND` for an unknown one.',
      responses: { 200: regionState },
      errors: { 404: { description: '`DEVICE_NOT_FOUND`, or `REGION_STATE_NOT_FOUND` (always, for a device that exists).', ...REGION_STATE_NOT_FOUND } },
    },
    'GET /device/{deviceID}/regionstate/forbeacon/{beacon}': {
      ...pushDevice,
      operationId: 'getDeviceRegionStateForBeacon',
      summary: 'Get Device Region State For Beacon',
      description: 'There are no beacons here: 404 `REGION_STATE_NOT_FOUND` for an active device, `DEVICE_NOT_FOUND` for an unknown one.',
      responses: { 200: regionState },
      errors: { 404: { description: '`DEVICE_NOT_FOUND`, or `REGION_STATE_NOT_FOUND` (always, for a device that exists).', ...REGION_STATE_NOT_FOUND } },
    },

    ...recipientRoutes('email'),
    ...recipientRoutes('sms'),
  };
}
