import { readFileSync } from 'node:fs';
import path from 'node:path';
import { getMetadataStorage } from 'class-validator';
import { parse } from 'yaml';
import { CommandType, EventType, MessageType, PAYLOAD_CLASSES } from './message-map';
import { PROFILE_SNAPSHOT, PROFILE_SNAPSHOT_FIELDS, ProfileContactChannel, ProfilePushChannel, ProfileSnapshot } from './snapshots/profile-snapshot';
import { TOPIC_SPECS, Topic, Topics, deadLetterTopic } from './topics';

/** The part of a JSON schema the structural checks read. */
interface SchemaObject {
  $ref?: string;
  type?: string | string[];
  format?: string;
  enum?: string[];
  items?: SchemaObject;
  required?: string[];
  properties?: Record<string, SchemaObject>;
}

interface AsyncApiMessage {
  bindings?: { kafka?: { key?: { type?: string; description?: string } } };
  payload: { allOf?: { properties?: { payload?: { properties?: Record<string, unknown> } } }[]; properties?: Record<string, unknown> };
}

interface AsyncApiDocument {
  asyncapi: string;
  channels: Record<string, { address: string; description?: string; messages: Record<string, { $ref: string }> }>;
  components: { messages: Record<string, AsyncApiMessage>; schemas: Record<string, SchemaObject> };
}

/**
 * The topic each message travels on, as the contracts define it: a command on its aggregate's
 * command topic, an event on its aggregate's event topic (the user aggregate is the profile's), an
 * outcome on command.outcomes. The type of the table derives the topic from CommandMap, EventMap and
 * the type's aggregate, so an entry on another topic, a missing or an unknown type does not compile.
 */
type AggregateOf<T extends string> = T extends `${infer Aggregate}.${string}` ? Aggregate : never;
const COMMAND_TOPIC = { device: Topics.deviceCommands, recipient: Topics.recipientCommands, user: Topics.profileCommands } as const satisfies Record<
  AggregateOf<CommandType>,
  Topic
>;
const EVENT_TOPIC = {
  application: Topics.applicationEvents,
  device: Topics.deviceEvents,
  recipient: Topics.recipientEvents,
  user: Topics.profileEvents,
} as const satisfies Record<AggregateOf<EventType>, Topic>;
type TopicOf<K extends MessageType> = K extends CommandType
  ? (typeof COMMAND_TOPIC)[AggregateOf<K>]
  : K extends EventType
    ? (typeof EVENT_TOPIC)[AggregateOf<K>]
    : typeof Topics.commandOutcomes;
const TOPIC_OF: { [K in MessageType]: TopicOf<K> } = {
  'application.created': Topics.applicationEvents,
  'application.settings-changed': Topics.applicationEvents,
  'application.deleted': Topics.applicationEvents,
  'user.update': Topics.profileCommands,
  'user.override-user-data': Topics.profileCommands,
  'user.deactivate': Topics.profileCommands,
  'user.erase': Topics.profileCommands,
  'user.registered': Topics.profileEvents,
  'user.renamed': Topics.profileEvents,
  'user.user-data-changed': Topics.profileEvents,
  'user.deactivated': Topics.profileEvents,
  'user.erased': Topics.profileEvents,
  'device.register': Topics.deviceCommands,
  'device.update': Topics.deviceCommands,
  'device.deactivate': Topics.deviceCommands,
  'device.assign-user': Topics.deviceCommands,
  'device.remove-user': Topics.deviceCommands,
  'device.add-tags': Topics.deviceCommands,
  'device.remove-tags': Topics.deviceCommands,
  'device.clear-tags': Topics.deviceCommands,
  'device.override-user-data': Topics.deviceCommands,
  'device.erase-user': Topics.deviceCommands,
  'device.registered': Topics.deviceEvents,
  'device.updated': Topics.deviceEvents,
  'device.deactivated': Topics.deviceEvents,
  'device.user-assigned': Topics.deviceEvents,
  'device.user-removed': Topics.deviceEvents,
  'device.tags-changed': Topics.deviceEvents,
  'device.user-data-changed': Topics.deviceEvents,
  'device.replaced': Topics.deviceEvents,
  'device.user-erased': Topics.deviceEvents,
  'recipient.register': Topics.recipientCommands,
  'recipient.update': Topics.recipientCommands,
  'recipient.deactivate': Topics.recipientCommands,
  'recipient.add-tags': Topics.recipientCommands,
  'recipient.remove-tags': Topics.recipientCommands,
  'recipient.clear-tags': Topics.recipientCommands,
  'recipient.confirm': Topics.recipientCommands,
  'recipient.erase-user': Topics.recipientCommands,
  'recipient.registered': Topics.recipientEvents,
  'recipient.updated': Topics.recipientEvents,
  'recipient.user-assigned': Topics.recipientEvents,
  'recipient.user-removed': Topics.recipientEvents,
  'recipient.deactivated': Topics.recipientEvents,
  'recipient.tags-changed': Topics.recipientEvents,
  'recipient.user-data-changed': Topics.recipientEvents,
  'recipient.verification-requested': Topics.recipientEvents,
  'recipient.verified': Topics.recipientEvents,
  'recipient.erased': Topics.recipientEvents,
  'command.accepted': Topics.commandOutcomes,
  'command.rejected': Topics.commandOutcomes,
};

/**
 * The JSON schema a field of a TypeScript contract type must be documented with: its JSON type
 * (`[type, "null"]` when it may be null), the item schema of an array, the values of a string enum,
 * `date-time` for timestamps. The mapped types below make each expectation complete (every field of
 * the interface, no other) and consistent with the field's TypeScript type.
 */
type JsonType<V> = V extends string
  ? 'string'
  : V extends boolean
    ? 'boolean'
    : V extends number
      ? 'integer'
      : V extends readonly unknown[]
        ? 'array'
        : V extends object
          ? 'object'
          : never;
interface FieldSchema<V> {
  type: null extends V ? [JsonType<NonNullable<V>>, 'null'] : JsonType<V>;
  format?: 'date-time';
  enum?: readonly (V & string)[];
  items?: NonNullable<V> extends readonly (infer Item)[] ? FieldSchema<Item> | { $ref: string } : never;
}
type ContractSchema<T> = { [K in keyof T]-?: FieldSchema<T[K]> };

const VERIFICATION_STATES = ['none', 'pending', 'verified'] as const satisfies readonly ProfileContactChannel['verification'][];
const everyVerificationState: Exclude<ProfileContactChannel['verification'], (typeof VERIFICATION_STATES)[number]> extends never ? true : false = true;
void everyVerificationState;

const PUSH_CHANNEL_SCHEMA: ContractSchema<ProfilePushChannel> = {
  deviceID: { type: 'string' },
  platform: { type: 'string' },
  transport: { type: 'string' },
  properties: { type: 'object' },
  tags: { type: 'array', items: { type: 'string' } },
  active: { type: 'boolean' },
  createdAt: { type: 'string', format: 'date-time' },
  updatedAt: { type: 'string', format: 'date-time' },
};
const CONTACT_CHANNEL_SCHEMA: ContractSchema<ProfileContactChannel> = {
  deviceID: { type: 'string' },
  address: { type: 'string' },
  properties: { type: 'object' },
  tags: { type: 'array', items: { type: 'string' } },
  active: { type: 'boolean' },
  verification: { type: 'string', enum: VERIFICATION_STATES },
  createdAt: { type: 'string', format: 'date-time' },
  updatedAt: { type: 'string', format: 'date-time' },
};
const SNAPSHOT_CHANNELS_SCHEMA: ContractSchema<ProfileSnapshot['channels']> = {
  push: { type: 'array', items: { $ref: '#/components/schemas/ProfilePushChannel' } },
  email: { type: 'array', items: { $ref: '#/components/schemas/ProfileContactChannel' } },
  sms: { type: 'array', items: { $ref: '#/components/schemas/ProfileContactChannel' } },
};
const SNAPSHOT_SCHEMA: ContractSchema<ProfileSnapshot> = {
  schemaVersion: { type: 'integer' },
  application: { type: 'string' },
  userID: { type: 'string' },
  userName: { type: ['string', 'null'] },
  active: { type: 'boolean' },
  userData: { type: 'object' },
  channels: { type: 'object' },
  createdAt: { type: 'string', format: 'date-time' },
  updatedAt: { type: 'string', format: 'date-time' },
  version: { type: 'integer' },
};

const document = parse(readFileSync(path.resolve(__dirname, '../../../docs/asyncapi.yaml'), 'utf8')) as AsyncApiDocument;
const documentedTopics = Object.values(document.channels).map((channel) => channel.address);
const documentedMessages = Object.keys(document.components.messages);

/** The payload fields a contract class declares (every field carries a class-validator decorator). */
function contractFields(type: string): string[] {
  const payloadClass = (PAYLOAD_CLASSES as Record<string, new () => unknown>)[type];
  const metadata = getMetadataStorage().getTargetValidationMetadatas(payloadClass, '', true, false);
  return [...new Set(metadata.map((entry) => entry.propertyName))].sort();
}

/** A documented schema reduced to what the contract types determine (descriptions, const, minimum… left out). */
function structure(schema: SchemaObject): SchemaObject {
  const items = schema.items && (schema.items.$ref ? { $ref: schema.items.$ref } : structure(schema.items));
  return Object.fromEntries(
    Object.entries({ type: schema.type, format: schema.format, enum: schema.enum, items }).filter(([, value]) => value !== undefined),
  ) as SchemaObject;
}

/** An object schema: every field with its structure, and the required ones. */
function objectStructure(schema: SchemaObject | undefined): { fields: Record<string, SchemaObject>; required: string[] } {
  const properties = schema?.properties ?? {};
  return {
    fields: Object.fromEntries(Object.entries(properties).map(([name, property]) => [name, structure(property)])),
    required: [...(schema?.required ?? [])].sort(),
  };
}

function expectedStructure<T>(schema: ContractSchema<T>): { fields: Record<string, SchemaObject>; required: string[] } {
  // Every field of the contract types is present (none is optional), so every one is required.
  return { fields: JSON.parse(JSON.stringify(schema)) as Record<string, SchemaObject>, required: Object.keys(schema).sort() };
}

function documentedFields(message: AsyncApiMessage): string[] {
  const payload = message.payload.allOf?.find((part) => part.properties?.payload)?.properties?.payload ?? message.payload;
  return Object.keys(payload.properties ?? {}).sort();
}

describe('docs/asyncapi.yaml documents the contracts, all of them and nothing else', () => {
  it('is an AsyncAPI 3 document', () => {
    expect(document.asyncapi).toMatch(/^3\./);
  });

  it('documents every topic of topics.ts and its dead-letter topic, and no other topic', () => {
    const expected = TOPIC_SPECS.flatMap((spec) => (spec.deadLetter ? [spec.name, deadLetterTopic(spec.name)] : [spec.name]));
    expect(new Set(Object.values(Topics))).toEqual(new Set(TOPIC_SPECS.map((spec) => spec.name)));
    expect([...documentedTopics].sort()).toEqual([...expected].sort());
  });

  it('says what every topic is keyed by', () => {
    for (const channel of Object.values(document.channels)) expect(channel.description).toMatch(/Key: <application>:|Dead letters of/);
    for (const [type, message] of Object.entries(document.components.messages)) {
      expect({ type, key: message.bindings?.kafka?.key?.description }).toEqual({ type, key: expect.stringMatching(/^<application>:/) });
    }
  });

  it('documents every message type of the message map and the profile snapshot, and no other message', () => {
    expect([...documentedMessages].sort()).toEqual([...Object.keys(PAYLOAD_CLASSES), PROFILE_SNAPSHOT].sort());
  });

  it('documents exactly the payload fields of each message contract', () => {
    for (const type of Object.keys(PAYLOAD_CLASSES)) {
      expect({ type, fields: documentedFields(document.components.messages[type]) }).toEqual({ type, fields: contractFields(type) });
    }
    expect(documentedFields(document.components.messages[PROFILE_SNAPSHOT])).toEqual([...PROFILE_SNAPSHOT_FIELDS].sort());
  });

  it('lists every message on a channel, and only messages it defines', () => {
    const referenced = new Set<string>();
    for (const channel of Object.values(document.channels)) {
      for (const { $ref } of Object.values(channel.messages)) {
        const name = $ref.replace('#/components/messages/', '');
        expect(documentedMessages).toContain(name);
        referenced.add(name);
      }
    }
    expect([...referenced].sort()).toEqual([...documentedMessages].sort());
    expect(Object.keys(document.channels.profileSnapshots.messages)).toEqual([PROFILE_SNAPSHOT]);
  });

  it('lists each message on the topic the contracts put it on (and its dead-letter topic), under its own name', () => {
    const expected = new Map<string, string[]>();
    const add = (topic: string, type: string) => expected.set(topic, [...(expected.get(topic) ?? []), type]);
    for (const [type, topic] of Object.entries(TOPIC_OF)) {
      const aggregate = type.split('.')[0];
      const ofAggregate = [(COMMAND_TOPIC as Record<string, string>)[aggregate], (EVENT_TOPIC as Record<string, string>)[aggregate], Topics.commandOutcomes];
      expect({ type, topic: ofAggregate.includes(topic) }).toEqual({ type, topic: true });
      add(topic, type);
      if (TOPIC_SPECS.find((spec) => spec.name === topic)?.deadLetter) add(deadLetterTopic(topic), type);
    }
    add(Topics.profileSnapshots, PROFILE_SNAPSHOT);
    for (const channel of Object.values(document.channels)) {
      for (const [name, { $ref }] of Object.entries(channel.messages)) expect({ name, $ref }).toEqual({ name, $ref: `#/components/messages/${name}` });
      const listed = Object.keys(channel.messages).sort();
      expect({ topic: channel.address, messages: listed }).toEqual({ topic: channel.address, messages: [...(expected.get(channel.address) ?? [])].sort() });
    }
  });

  it('documents the profile snapshot and its push and contact channel objects with the types of the contract', () => {
    const snapshot = document.components.messages[PROFILE_SNAPSHOT].payload as SchemaObject;
    expect(objectStructure(snapshot)).toEqual(expectedStructure(SNAPSHOT_SCHEMA));
    expect(objectStructure(snapshot.properties?.channels)).toEqual(expectedStructure(SNAPSHOT_CHANNELS_SCHEMA));
    const schemas = document.components.schemas;
    expect({ push: objectStructure(schemas.ProfilePushChannel) }).toEqual({ push: expectedStructure(PUSH_CHANNEL_SCHEMA) });
    expect({ contact: objectStructure(schemas.ProfileContactChannel) }).toEqual({ contact: expectedStructure(CONTACT_CHANNEL_SCHEMA) });
  });
});
