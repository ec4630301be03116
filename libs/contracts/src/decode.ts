import { plainToInstance } from 'class-transformer';
import { ValidationError, validateSync } from 'class-validator';
import { Envelope, ForwardedFrom } from './envelope';
import { Message, MessageType, PAYLOAD_CLASSES, SCHEMA_VERSIONS, isMessageType } from './message-map';
import { memoiseValidationMetadata } from './validation-metadata';

// Every process that decodes messages (and the gateway's validation pipe, on the same storage) looks rules up once per class.
memoiseValidationMetadata();

/** Why a raw message could not be turned into a typed message. Goes to the dead-letter topic as is. */
export class UndecodableMessage extends Error {
  constructor(
    readonly reason: 'malformed-json' | 'invalid-envelope' | 'unknown-type' | 'unsupported-version' | 'invalid-payload',
    message: string,
    /** The envelope, when it could be read (lets a handler answer a rejected outcome). */
    readonly envelope?: Envelope,
    readonly fields?: { field: string; message: string }[],
  ) {
    super(message);
    this.name = 'UndecodableMessage';
  }
}

const ENVELOPE_STRINGS = ['id', 'type', 'time', 'application', 'aggregateId', 'correlationId'] as const;

/**
 * Parse and validate one message from the wire: JSON, envelope fields, known type, known schema
 * version, payload rules. Throws UndecodableMessage with the reason; never returns half a message.
 */
export function decodeMessage(raw: Buffer | string | null): Message<MessageType> {
  return decodeEnvelope(parseMessage(raw));
}

/** The message value as a JSON object (not validated yet). */
export function parseMessage(raw: Buffer | string | null): Record<string, unknown> {
  if (raw === null) throw new UndecodableMessage('malformed-json', 'empty message value');
  let parsed: unknown;
  try {
    parsed = JSON.parse(typeof raw === 'string' ? raw : raw.toString('utf8'));
  } catch (error) {
    throw new UndecodableMessage('malformed-json', `not JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new UndecodableMessage('invalid-envelope', 'message is not a JSON object');
  }
  return parsed as Record<string, unknown>;
}

/** Validate a parsed message: envelope fields, known type and version, payload against its class. */
export function decodeEnvelope(candidate: Record<string, unknown>): Message<MessageType> {
  for (const key of ENVELOPE_STRINGS) {
    if (typeof candidate[key] !== 'string' || (candidate[key] as string).length === 0) {
      throw new UndecodableMessage('invalid-envelope', `envelope field "${key}" is missing or not a string`);
    }
  }
  if (!Number.isInteger(candidate.schemaVersion)) {
    throw new UndecodableMessage('invalid-envelope', 'envelope field "schemaVersion" is not an integer');
  }
  if (candidate.aggregateVersion !== null && !Number.isInteger(candidate.aggregateVersion)) {
    throw new UndecodableMessage('invalid-envelope', 'envelope field "aggregateVersion" is not an integer or null');
  }
  if (candidate.requiresSettingsVersion !== undefined && !Number.isInteger(candidate.requiresSettingsVersion)) {
    throw new UndecodableMessage('invalid-envelope', 'envelope field "requiresSettingsVersion" is not an integer');
  }
  if (candidate.subject !== undefined && typeof candidate.subject !== 'string') {
    throw new UndecodableMessage('invalid-envelope', 'envelope field "subject" is not a string');
  }
  if (candidate.forwardedFrom !== undefined && !isForwardedFrom(candidate.forwardedFrom)) {
    throw new UndecodableMessage('invalid-envelope', 'envelope field "forwardedFrom" is not {commandType, created?, changed?: {aggregateType, aggregateId, version}}');
  }
  if (candidate.causationId !== null && typeof candidate.causationId !== 'string') {
    throw new UndecodableMessage('invalid-envelope', 'envelope field "causationId" is not a string or null');
  }
  const envelope = candidate as unknown as Envelope;
  if (!isMessageType(envelope.type)) {
    throw new UndecodableMessage('unknown-type', `unknown message type "${envelope.type}"`, envelope);
  }
  if (!SCHEMA_VERSIONS[envelope.type].includes(envelope.schemaVersion)) {
    throw new UndecodableMessage(
      'unsupported-version',
      `schema version ${envelope.schemaVersion} of "${envelope.type}" is not supported`,
      envelope,
    );
  }
  if (typeof envelope.payload !== 'object' || envelope.payload === null || Array.isArray(envelope.payload)) {
    throw new UndecodableMessage('invalid-payload', 'payload is not a JSON object', envelope);
  }
  const payload = plainToInstance(PAYLOAD_CLASSES[envelope.type] as new () => object, envelope.payload);
  const errors = validateSync(payload, { forbidUnknownValues: true });
  if (errors.length > 0) {
    const fields = flattenValidationErrors(errors);
    throw new UndecodableMessage(
      'invalid-payload',
      `invalid payload: ${fields.map((f) => `${f.field} ${f.message}`).join('; ')}`,
      envelope,
      fields,
    );
  }
  return envelope as Message<MessageType>;
}

function isForwardedFrom(value: unknown): value is ForwardedFrom {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const { commandType, created, changed } = value as Record<string, unknown>;
  if (typeof commandType !== 'string' || (created !== undefined && typeof created !== 'boolean')) return false;
  if (changed === undefined) return true;
  if (typeof changed !== 'object' || changed === null) return false;
  const { aggregateType, aggregateId, version } = changed as Record<string, unknown>;
  return typeof aggregateType === 'string' && typeof aggregateId === 'string' && Number.isInteger(version) && (version as number) >= 1;
}

/** class-validator errors as `{field, message}` pairs with dotted paths (`userData.birthdate`). */
export function flattenValidationErrors(errors: ValidationError[], prefix = ''): { field: string; message: string }[] {
  return errors.flatMap((error) => {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({ field, message }));
    return [...own, ...flattenValidationErrors(error.children ?? [], field)];
  });
}
