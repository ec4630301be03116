import type { ReferenceObject, SchemaObject } from '@nestjs/swagger';
import { ApplicationSettings, DeviceProperties, RECIPIENT_VERIFICATIONS, RecipientProperties, UserDataFieldDefinition } from '@omni/contracts';
import { ERROR_SCHEMA, ERROR_SCHEMA_NAME, FIELD_ERROR_SCHEMA, FIELD_ERROR_SCHEMA_NAME } from './errors';
import { SchemaRegistry, isReference, ref, userDataMapSchema } from './schema-registry';

/** The component schemas of the answers, named as the reference names them where it has them. */
export interface ResponseSchemas {
  error: ReferenceObject;
  message: ReferenceObject;
  deviceMessage: ReferenceObject;
  deviceRegistered: ReferenceObject;
  commandAccepted: ReferenceObject;
  recipientAccepted: ReferenceObject;
  commandState: ReferenceObject;
  device: ReferenceObject;
  deviceList: ReferenceObject;
  user: ReferenceObject;
  profile: ReferenceObject;
  application: ReferenceObject;
  createdApplication: ReferenceObject;
  applicationList: ReferenceObject;
  applicationInfo: ReferenceObject;
  settings: ReferenceObject;
  userDataField: ReferenceObject;
  userDataMap: ReferenceObject;
}

const dateTime: SchemaObject = { type: 'string', format: 'date-time' };
const DEVICE_ID_EXAMPLE = '00a9b9bf-c099-45aa-9278-64d6a3f22476';
const RECIPIENT_ID_EXAMPLE = 'email-Xq2c8bWl0nWJ3aQkY9vT1g';

export function defineResponseSchemas(registry: SchemaRegistry): ResponseSchemas {
  registry.define(FIELD_ERROR_SCHEMA_NAME, FIELD_ERROR_SCHEMA);
  const error = registry.define(ERROR_SCHEMA_NAME, ERROR_SCHEMA);
  const userDataMap = registry.define('UserData', userDataMapSchema(false));
  const message = registry.define('ResponseMessage', {
    type: 'object',
    required: ['message'],
    properties: { message: { type: 'string', example: 'device updated' } },
  });
  const deviceMessage = registry.define('ResponseDeviceMessage', {
    type: 'object',
    description: 'The answer to POST /email and POST /sms: `device.deviceID` (and `device.id`) is the contact\'s recipient id, the `{deviceID}` of its routes.',
    required: ['message', 'device'],
    properties: {
      message: { type: 'string', enum: ['subscription created', 'subscription updated'], example: 'subscription updated' },
      device: {
        type: 'object',
        required: ['id', 'deviceID'],
        properties: { id: { type: 'string', example: RECIPIENT_ID_EXAMPLE }, deviceID: { type: 'string', example: RECIPIENT_ID_EXAMPLE } },
      },
    },
  });
  const deviceRegistered = registry.define('ResponseDeviceCreated', {
    type: 'object',
    required: ['device'],
    properties: {
      device: {
        type: 'object',
        required: ['deviceID', 'message'],
        properties: { deviceID: { type: 'string', example: DEVICE_ID_EXAMPLE }, message: { type: 'string', example: 'device updated' } },
      },
    },
  });
  const commandAcceptedProperties: Record<string, SchemaObject> = {
    message: { type: 'string', example: 'command accepted for processing' },
    commandId: { type: 'string', format: 'uuid', description: 'Follow it at GET /command/{commandId} (the `Location` header).' },
    status: { type: 'string', enum: ['pending'] },
  };
  const commandAccepted = registry.define('CommandAccepted', {
    type: 'object',
    description: 'A write accepted but not yet visible: asked with `Prefer: respond-async`, or its effect took longer than the gateway waits.',
    required: ['message', 'commandId', 'status'],
    properties: commandAcceptedProperties,
  });
  const recipientAccepted = registry.define('RecipientCommandAccepted', {
    type: 'object',
    description: 'CommandAccepted of POST /email and POST /sms, with the recipient id already known.',
    required: ['message', 'commandId', 'status', 'device'],
    properties: {
      ...commandAcceptedProperties,
      message: { type: 'string', example: 'subscription is being processed' },
      device: {
        type: 'object',
        properties: { id: { type: 'string', example: RECIPIENT_ID_EXAMPLE }, deviceID: { type: 'string', example: RECIPIENT_ID_EXAMPLE } },
      },
    },
  });
  const commandState = registry.define('CommandState', {
    type: 'object',
    required: ['command'],
    properties: {
      command: {
        type: 'object',
        required: ['id', 'type', 'status', 'createdAt'],
        properties: {
          id: { type: 'string', format: 'uuid' },
          type: { type: 'string', example: 'user.update' },
          status: { type: 'string', enum: ['pending', 'completed', 'rejected'] },
          createdAt: dateTime,
          error: { ...ref(ERROR_SCHEMA_NAME), description: 'Why it was rejected (rejected only).' } as ReferenceObject,
        },
      },
    },
  });
  const device = registry.define('DeviceModel', deviceModelSchema(registry));
  const deviceList = registry.define('DeviceList', {
    type: 'object',
    required: ['devices', 'count'],
    properties: { devices: { type: 'array', items: device }, count: { type: 'integer', example: 1 } },
  });
  const user = registry.define('UserModel', {
    type: 'object',
    required: ['application', 'userID', 'userName', 'active', 'autoGenerated', 'segments', 'createdAt', 'updatedAt'],
    properties: {
      application: { type: 'string' },
      userID: { type: 'string', example: '12345' },
      userName: { type: 'string', nullable: true, example: 'Massimo' },
      active: { type: 'boolean' },
      autoGenerated: { type: 'boolean', description: 'Always false: every user has the userID it was given.', example: false },
      segments: { type: 'array', items: { type: 'string' }, description: 'Always empty: there are no user segments.', example: [] },
      createdAt: dateTime,
      updatedAt: dateTime,
    },
  });
  const contact: SchemaObject = {
    type: 'object',
    description: 'An email contact or SMS number; with its RecipientProperties (language, region, country, timeZone, timeZoneOffset).',
    required: ['deviceID', 'tags', 'active', 'verification'],
    properties: {
      deviceID: { type: 'string', example: RECIPIENT_ID_EXAMPLE },
      email: { type: 'string', description: 'Email contacts.' },
      phone: { type: 'string', description: 'SMS numbers (E.164).' },
      ...propertiesOf(registry.schemaOf(RecipientProperties)),
      tags: { type: 'array', items: { type: 'string' } },
      active: { type: 'boolean' },
      verification: { type: 'string', enum: [...RECIPIENT_VERIFICATIONS] },
      createdAt: dateTime,
      updatedAt: dateTime,
    },
  };
  const pushDevice: SchemaObject = {
    type: 'object',
    required: ['deviceID', 'platform', 'transport', 'tags', 'active'],
    properties: {
      deviceID: { type: 'string', example: DEVICE_ID_EXAMPLE },
      platform: { type: 'string' },
      transport: { type: 'string' },
      ...propertiesOf(registry.schemaOf(DeviceProperties)),
      tags: { type: 'array', items: { type: 'string' } },
      active: { type: 'boolean' },
      createdAt: dateTime,
      updatedAt: dateTime,
    },
  };
  const profile = registry.define('UnifiedProfile', {
    type: 'object',
    description: 'One user, every active channel (and contacts waiting for verification), and the user\'s data.',
    required: ['userID', 'userName', 'active', 'userData', 'channels', 'createdAt', 'updatedAt'],
    properties: {
      userID: { type: 'string' },
      userName: { type: 'string', nullable: true },
      active: { type: 'boolean' },
      userData: { type: 'object', additionalProperties: true },
      channels: {
        type: 'object',
        required: ['push', 'email', 'sms'],
        properties: {
          push: { type: 'array', items: pushDevice },
          email: { type: 'array', items: contact },
          sms: { type: 'array', items: contact },
        },
      },
      createdAt: dateTime,
      updatedAt: { ...dateTime, description: 'Latest change of the user or any of their channels.' },
    },
  });
  const settings = registry.refTo(ApplicationSettings);
  const userDataField = registry.refTo(UserDataFieldDefinition);
  const applicationProperties: Record<string, SchemaObject | ReferenceObject> = {
    applicationKey: { type: 'string', description: 'The Basic user name of the application\'s credentials.' },
    name: { type: 'string', example: 'My App' },
    settings,
    createdAt: dateTime,
    updatedAt: dateTime,
  };
  const application = registry.define('Application', {
    type: 'object',
    required: ['applicationKey', 'name', 'settings', 'createdAt', 'updatedAt'],
    properties: applicationProperties,
  });
  const createdApplication = registry.define('CreatedApplication', {
    type: 'object',
    description: 'An application as created: its two secrets are shown this once (only their hashes are stored).',
    required: ['applicationKey', 'name', 'settings', 'createdAt', 'updatedAt', 'applicationSecret', 'masterSecret'],
    properties: {
      ...applicationProperties,
      applicationSecret: { type: 'string', description: 'For the SDK (Basic password with the applicationKey).' },
      masterSecret: { type: 'string', description: 'For the backend (Basic password with the applicationKey).' },
    },
  });
  const applicationList = registry.define('ApplicationList', {
    type: 'object',
    required: ['applications', 'total'],
    properties: { applications: { type: 'array', items: application }, total: { type: 'integer' } },
  });
  const applicationInfo = registry.define('ApplicationInfoModel', {
    type: 'object',
    required: ['_id', 'name', 'userRegistration', 'userDataFields'],
    properties: {
      _id: { type: 'string', description: 'The application key.' },
      name: { type: 'string', example: 'Your App' },
      userRegistration: { type: 'string', enum: ['sdk', 'api'], description: '`api`: only the backend (master secret) attaches devices to users.' },
      userDataFields: { type: 'array', items: userDataField },
    },
  });
  return {
    error,
    message,
    deviceMessage,
    deviceRegistered,
    commandAccepted,
    recipientAccepted,
    commandState,
    device,
    deviceList,
    user,
    profile,
    application,
    createdApplication,
    applicationList,
    applicationInfo,
    settings,
    userDataField,
    userDataMap,
  };
}

/** The reference's DeviceModel as this API answers it: identity, channel, user, every device property (null when never reported), tags, user data, state. */
function deviceModelSchema(registry: SchemaRegistry): SchemaObject {
  return {
    type: 'object',
    required: ['deviceID', 'application', 'medium', 'platform', 'transport', 'userID', 'userName', 'tags', 'userData', 'active', 'createdAt', 'updatedAt'],
    properties: {
      deviceID: { type: 'string', example: DEVICE_ID_EXAMPLE },
      application: { type: 'string', description: 'Application this device belongs to.' },
      medium: { type: 'string', enum: ['push', 'email', 'sms'], default: 'push' },
      platform: { type: 'string', example: 'Web', description: 'iOS, tvOS, Android, Web; `Email` or `SMS` for contacts.' },
      transport: { type: 'string', example: 'Notificare', description: 'APNS, GCM, HMS, WebPush, WebsitePush, Notificare; `Email` or `SMS` for contacts.' },
      email: { type: 'string', description: 'Email contacts only.' },
      phone: { type: 'string', description: 'SMS numbers only (E.164).' },
      userID: { type: 'string', nullable: true, example: '188720716616' },
      userName: { type: 'string', nullable: true },
      ...propertiesOf(registry.schemaOf(DeviceProperties)),
      tags: { type: 'array', items: { type: 'string' }, example: ['tag1', 'tag2'] },
      userData: { type: 'object', additionalProperties: true, description: "The user's data when the device has a user, else the device's own.", example: { firstName: 'John' } },
      active: { type: 'boolean', default: true },
      createdAt: dateTime,
      updatedAt: dateTime,
    },
  };
}

/** A DTO's property schemas as answered (nullable: the read model answers null for what was never reported). */
function propertiesOf(schema: SchemaObject): Record<string, SchemaObject | ReferenceObject> {
  return Object.fromEntries(
    Object.entries(schema.properties ?? {}).map(([name, property]) => [name, isReference(property) ? { allOf: [property], nullable: true } : { ...property, nullable: true }]),
  );
}
