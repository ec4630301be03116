import { readFileSync } from 'node:fs';
import path from 'node:path';
import { getMetadataStorage } from 'class-validator';
import { parse } from 'yaml';
import { PAYLOAD_CLASSES } from './message-map';
import { PROFILE_SNAPSHOT, PROFILE_SNAPSHOT_FIELDS } from './snapshots/profile-snapshot';
import { TOPIC_SPECS, Topics, deadLetterTopic } from './topics';

interface AsyncApiMessage {
  bindings?: { kafka?: { key?: { type?: string; description?: string } } };
  payload: { allOf?: { properties?: { payload?: { properties?: Record<string, unknown> } } }[]; properties?: Record<string, unknown> };
}

interface AsyncApiDocument {
  asyncapi: string;
  channels: Record<string, { address: string; description?: string; messages: Record<string, { $ref: string }> }>;
  components: { messages: Record<string, AsyncApiMessage> };
}

const document = parse(readFileSync(path.resolve(__dirname, '../../../docs/asyncapi.yaml'), 'utf8')) as AsyncApiDocument;
const documentedTopics = Object.values(document.channels).map((channel) => channel.address);
const documentedMessages = Object.keys(document.components.messages);

/** The payload fields a contract class declares (every field carries a class-validator decorator). */
function contractFields(type: string): string[] {
  const payloadClass = (PAYLOAD_CLASSES as Record<string, new () => unknown>)[type];
  const metadata = getMetadataStorage().getTargetValidationMetadatas(payloadClass, '', true, false);
  return [...new Set(metadata.map((entry) => entry.propertyName))].sort();
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
});
