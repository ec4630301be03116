import { randomUUID } from 'node:crypto';
import { Kafka } from 'kafkajs';
import { Client } from 'pg';
import { TOPIC_SPECS, deadLetterTopic } from '@omni/contracts';
import { consumerLag } from '@omni/messaging';
import { ApplicationCredentials, waitFor } from '@omni/testing';
import { CONSUMER_GROUPS, FaultStack, OUTBOX_SCHEMAS } from './fault-stack';
import { Write } from './write-load';

/** What the checks found for the writes of one phase. */
export interface PhaseFindings {
  /** Acknowledged writes whose effect is in the read model. */
  found: number;
  /** Extra applications: a second outcome for one command, a second event for one aggregate version. */
  duplicates: number;
  /** Human-readable reasons, one per problem (empty when everything holds). */
  problems: string[];
}

interface EnvelopeLike {
  id: string;
  type: string;
  application: string;
  aggregateId: string;
  aggregateVersion: number | null;
  causationId?: string;
  payload?: { commandId?: string };
}

const EVENT_TOPICS = ['device.events', 'recipient.events', 'profile.events'];
const COMMAND_TOPICS = ['device.commands', 'recipient.commands', 'profile.commands'];
const DEAD_LETTER_TOPICS = TOPIC_SPECS.filter((spec) => spec.deadLetter).map((spec) => deadLetterTopic(spec.name));

/**
 * Waits until the system is quiet: every consumer group has consumed everything (lag 0 on every
 * partition of its topics) and every outbox is published, twice in a row. Resolves with how long
 * that took.
 */
export async function waitUntilDrained(stack: FaultStack, timeoutMs: number): Promise<number> {
  const started = Date.now();
  let quietChecks = 0;
  let last = '';
  await waitFor(
    async () => {
      const lags = await Promise.all(CONSUMER_GROUPS.map(({ groupId, topics }) => consumerLag(stack.kafka, { brokers: stack.brokers, clientId: 'fault-suite', topicPrefix: '' }, groupId, topics)));
      const lagging = lags.flat().filter(({ lag }) => lag > 0);
      const backlog = await outboxBacklog(stack.databaseUrl);
      last = `lag ${JSON.stringify(lagging)}, outbox ${JSON.stringify(backlog)}`;
      quietChecks = lagging.length === 0 && Object.values(backlog).every((count) => count === 0) ? quietChecks + 1 : 0;
      return quietChecks >= 2;
    },
    { timeoutMs, intervalMs: 250, description: 'consumer lag 0 and empty outboxes' },
  ).catch((error: Error) => {
    throw new Error(`${error.message} (last: ${last})`);
  });
  return Date.now() - started;
}

async function outboxBacklog(databaseUrl: string): Promise<Record<string, number>> {
  return withSql(databaseUrl, async (sql) => {
    const counts: Record<string, number> = {};
    for (const schema of OUTBOX_SCHEMAS) {
      const { rows } = await sql.query<{ count: number }>(`SELECT count(*)::int AS count FROM "${schema}".outbox WHERE published_at IS NULL`);
      counts[schema] = rows[0].count;
    }
    return counts;
  });
}

/**
 * Checks every write sent so far against the read model and the topics:
 * - an acknowledged write has one command (its Idempotency-Key), one accepted outcome in the read
 *   model, visible (the entity's version reached the outcome's), and its effect shows in the
 *   user's unified profile (the device attached, the contact listed, the counter at its latest);
 * - no command was applied twice: one distinct outcome message per command on command.outcomes,
 *   one distinct event per aggregate version on the event topics (redelivered copies of the same
 *   message are fine, a second message is not), and versions without gaps (nothing lost);
 * - nothing was dead-lettered: an outage makes a partition wait, it never dead-letters good data.
 */
export async function verifyWrites(stack: FaultStack, app: ApplicationCredentials, writes: Write[], users: string[]): Promise<Map<string, PhaseFindings>> {
  const findings = new Map<string, PhaseFindings>();
  const of = (phase: string): PhaseFindings => {
    const existing = findings.get(phase);
    if (existing) return existing;
    const fresh: PhaseFindings = { found: 0, duplicates: 0, problems: [] };
    findings.set(phase, fresh);
    return fresh;
  };
  for (const write of writes) of(write.phase);

  const { commandIds, outcomes, versions } = await withSql(stack.databaseUrl, async (sql) => {
    const commands = await sql.query<{ idempotency_key: string; command_id: string }>(
      'SELECT idempotency_key, command_id FROM gateway.commands WHERE application = $1 AND idempotency_key IS NOT NULL',
      [app.applicationKey],
    );
    const recorded = await sql.query<{ command_id: string; status: string; aggregate_type: string; aggregate_id: string; aggregate_version: number | null }>(
      'SELECT command_id, status, aggregate_type, aggregate_id, aggregate_version FROM projection.command_outcomes WHERE application = $1',
      [app.applicationKey],
    );
    const entities = await sql.query<{ entity_type: string; entity_id: string; version: number }>(
      'SELECT entity_type, entity_id, version FROM projection.entity_versions WHERE application = $1',
      [app.applicationKey],
    );
    return {
      commandIds: new Map(commands.rows.map((row) => [row.idempotency_key, row.command_id])),
      outcomes: new Map(recorded.rows.map((row) => [row.command_id, row])),
      versions: new Map(entities.rows.map((row) => [`${row.entity_type}:${row.entity_id}`, row.version])),
    };
  });
  const writeOfCommand = new Map<string, Write>();
  for (const write of writes) {
    const commandId = commandIds.get(write.key);
    if (commandId) writeOfCommand.set(commandId, write);
  }
  const phaseOfCommand = (commandId: string | undefined): string => (commandId && writeOfCommand.get(commandId)?.phase) || 'setup';

  // --- no double application, from the topics ---------------------------------------------------
  const messages = await readTopics(stack.kafka, ['command.outcomes', ...COMMAND_TOPICS, ...EVENT_TOPICS, ...DEAD_LETTER_TOPICS]);
  const outcomeIds = new Map<string, Set<string>>();
  const outcomeTypes = new Map<string, Set<string>>();
  const commandCopies = new Map<string, number>();
  const eventIds = new Map<string, Map<number, Set<string>>>();
  const eventCause = new Map<string, string | undefined>();
  for (const { topic, value, headers } of messages) {
    if (topic.endsWith('.dlq')) {
      // An outage must make a partition wait, never dead-letter good data.
      of(phaseOfCommand(value.id)).problems.push(`${value.type} ${value.id} dead-lettered on ${topic}: ${headers['dlq-reason']} ${headers['dlq-detail']}`);
      continue;
    }
    if (value.application !== app.applicationKey) continue;
    if (COMMAND_TOPICS.includes(topic)) {
      commandCopies.set(value.id, (commandCopies.get(value.id) ?? 0) + 1);
      continue;
    }
    if (topic === 'command.outcomes') {
      const commandId = value.payload?.commandId ?? '?';
      outcomeIds.set(commandId, (outcomeIds.get(commandId) ?? new Set()).add(value.id));
      outcomeTypes.set(commandId, (outcomeTypes.get(commandId) ?? new Set()).add(value.type));
      continue;
    }
    const aggregate = `${topic} ${value.aggregateId}`;
    const byVersion = eventIds.get(aggregate) ?? new Map<number, Set<string>>();
    byVersion.set(value.aggregateVersion ?? -1, (byVersion.get(value.aggregateVersion ?? -1) ?? new Set()).add(value.id));
    eventIds.set(aggregate, byVersion);
    eventCause.set(value.id, value.causationId);
  }
  for (const [commandId, ids] of outcomeIds) {
    if (ids.size > 1) {
      const phase = of(phaseOfCommand(commandId));
      phase.duplicates += ids.size - 1;
      phase.problems.push(`command ${commandId} has ${ids.size} distinct outcomes (applied ${ids.size} times)`);
    }
  }
  for (const [aggregate, byVersion] of eventIds) {
    const max = Math.max(...byVersion.keys());
    for (const [version, ids] of byVersion) {
      if (ids.size > 1) {
        const phase = of(phaseOfCommand(eventCause.get([...ids][1])));
        phase.duplicates += ids.size - 1;
        phase.problems.push(`${aggregate} has ${ids.size} distinct events at version ${version}`);
      }
    }
    for (let version = 1; version <= max; version++) {
      if (!byVersion.has(version)) of('setup').problems.push(`${aggregate} has no event at version ${version} (max ${max})`);
    }
  }

  // --- every acknowledged write is in the read model --------------------------------------------
  const profiles = await readProfiles(stack, app, users);
  const acknowledgedAssign = new Set(writes.filter((w) => w.kind === 'assign-user' && w.status === 'acknowledged').map((w) => w.deviceId));
  for (const write of writes) {
    if (write.status === 'rejected') of(write.phase).problems.push(`${write.kind} ${write.key} was rejected: ${write.attemptLog.at(-1)}`);
    if (write.status !== 'acknowledged') continue;
    const phase = of(write.phase);
    const commandId = commandIds.get(write.key);
    const outcome = commandId ? outcomes.get(commandId) : undefined;
    const why: string[] = [];
    const history = () => write.attemptLog.join(' | ');
    if (!commandId) why.push('no command recorded for its Idempotency-Key');
    else if (!outcome) {
      // Where it got lost: no outcome on the topic = the service never decided; on the topic = the projection missed it.
      const onTopic = outcomeTypes.get(commandId);
      why.push(
        `no outcome in the read model for command ${commandId} (published ${commandCopies.get(commandId) ?? 0} time(s); on command.outcomes: ${onTopic ? [...onTopic].join(', ') : 'none'})`,
      );
    } else {
      if (outcome.status !== 'accepted') why.push(`outcome ${outcome.status}`);
      const version = versions.get(`${outcome.aggregate_type}:${outcome.aggregate_id}`) ?? 0;
      if (outcome.aggregate_version !== null && version < outcome.aggregate_version) {
        why.push(`${outcome.aggregate_type} ${outcome.aggregate_id} at version ${version} < ${outcome.aggregate_version}`);
      }
    }
    const profile = profiles.get(write.userId);
    switch (write.kind) {
      case 'register-device':
        if (acknowledgedAssign.has(write.deviceId)) {
          if (!profile?.push.has(write.deviceId as string)) why.push(`device ${write.deviceId} not in the profile of ${write.userId}`);
        } else if ((await getStatus(stack, app, `/device/${encodeURIComponent(write.deviceId as string)}`)) !== 200) {
          why.push(`device ${write.deviceId} not found`);
        }
        break;
      case 'assign-user':
        if (!profile?.push.has(write.deviceId as string)) why.push(`device ${write.deviceId} not in the profile of ${write.userId}`);
        break;
      case 'add-email':
        if (!profile?.email.has(write.email as string)) why.push(`email ${write.email} not in the profile of ${write.userId}`);
        break;
      case 'override-user-data':
        break; // the user's latest counter is checked below
    }
    if (why.length === 0) phase.found += 1;
    else phase.problems.push(`${write.kind} ${write.key} (${write.userId}): ${why.join('; ')} [attempts: ${history()}]`);
  }
  for (const userId of users) {
    const counters = writes.filter((w) => w.kind === 'override-user-data' && w.userId === userId);
    const lastAcknowledged = counters.filter((w) => w.status === 'acknowledged').at(-1);
    if (!lastAcknowledged) continue;
    // The latest acknowledged value, or a later one whose answer the client never got.
    const allowed = new Set(counters.slice(counters.indexOf(lastAcknowledged)).filter((w) => w.status !== 'rejected').map((w) => w.counter));
    const actual = profiles.get(userId)?.counter;
    if (!allowed.has(actual as number)) {
      of(lastAcknowledged.phase).problems.push(`${userId}: counter ${actual}, expected ${lastAcknowledged.counter} (acknowledged)`);
    }
  }
  for (const [userId, profile] of profiles) {
    if (profile.duplicateEntries > 0) of('setup').problems.push(`profile of ${userId} lists ${profile.duplicateEntries} channel(s) twice`);
  }
  return findings;
}

interface ProfileView {
  push: Set<string>;
  email: Set<string>;
  counter: unknown;
  duplicateEntries: number;
}

async function readProfiles(stack: FaultStack, app: ApplicationCredentials, users: string[]): Promise<Map<string, ProfileView>> {
  const profiles = new Map<string, ProfileView>();
  for (const userId of users) {
    const body = await getJson(stack, app, `/user/foruserid/${encodeURIComponent(userId)}/profile`);
    const profile = (body as { profile?: { userData: Record<string, unknown>; channels: { push: { deviceID: string }[]; email: { email: string }[] } } }).profile;
    if (!profile) continue;
    const push = profile.channels.push.map((device) => device.deviceID);
    const email = profile.channels.email.map((contact) => contact.email);
    profiles.set(userId, {
      push: new Set(push),
      email: new Set(email),
      counter: profile.userData.counter,
      duplicateEntries: push.length - new Set(push).size + email.length - new Set(email).size,
    });
  }
  return profiles;
}

function authorization(app: ApplicationCredentials): string {
  return `Basic ${Buffer.from(`${app.applicationKey}:${app.masterSecret}`).toString('base64')}`;
}

async function getStatus(stack: FaultStack, app: ApplicationCredentials, path: string): Promise<number> {
  const response = await fetch(`${stack.gatewayUrls[0]}${path}`, { headers: { authorization: authorization(app) }, signal: AbortSignal.timeout(10_000) });
  await response.arrayBuffer();
  return response.status;
}

async function getJson(stack: FaultStack, app: ApplicationCredentials, path: string): Promise<unknown> {
  const response = await fetch(`${stack.gatewayUrls[0]}${path}`, { headers: { authorization: authorization(app) }, signal: AbortSignal.timeout(10_000) });
  return response.json();
}

/** Every message of `topics` up to their current end, parsed (tombstones skipped). */
export async function readTopics(
  kafka: Kafka,
  topics: string[],
  timeoutMs = 60_000,
): Promise<{ topic: string; value: EnvelopeLike; headers: Record<string, string> }[]> {
  const admin = kafka.admin();
  await admin.connect();
  const remaining = new Map<string, bigint>(); // `${topic}/${partition}` → last offset to read
  const groupId = `fault-suite-reader-${randomUUID()}`;
  try {
    for (const topic of topics) {
      for (const { partition, high, low } of await admin.fetchTopicOffsets(topic)) {
        if (BigInt(high) > BigInt(low)) remaining.set(`${topic}/${partition}`, BigInt(high) - 1n);
      }
    }
    const messages: { topic: string; value: EnvelopeLike; headers: Record<string, string> }[] = [];
    if (remaining.size === 0) return messages;
    const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100 });
    await consumer.connect();
    try {
      await consumer.subscribe({ topics, fromBeginning: true });
      let done!: () => void;
      const finished = new Promise<void>((resolve) => (done = resolve));
      await consumer.run({
        eachBatch: async ({ batch }) => {
          const part = `${batch.topic}/${batch.partition}`;
          for (const message of batch.messages) {
            if (message.value) {
              const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([name, header]) => [name, String(header ?? '')]));
              messages.push({ topic: batch.topic, value: parseEnvelope(message.value.toString('utf8')), headers });
            }
            const last = remaining.get(part);
            if (last !== undefined && BigInt(message.offset) >= last) remaining.delete(part);
          }
          if (remaining.size === 0) done();
        },
      });
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        finished,
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`reading ${topics.join(', ')}: ${[...remaining.keys()].join(', ')} not read to the end in ${timeoutMs} ms`)), timeoutMs);
        }),
      ]).finally(() => clearTimeout(timer));
      return messages;
    } finally {
      await consumer.disconnect();
    }
  } finally {
    await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.disconnect();
  }
}

/** A message's envelope fields; a value that is not JSON (on a dead-letter topic) still yields an entry. */
function parseEnvelope(text: string): EnvelopeLike {
  try {
    return JSON.parse(text) as EnvelopeLike;
  } catch {
    return { id: '?', type: 'not JSON', application: '?', aggregateId: '?', aggregateVersion: null };
  }
}

async function withSql<T>(databaseUrl: string, work: (sql: Client) => Promise<T>): Promise<T> {
  const sql = new Client({ connectionString: databaseUrl });
  await sql.connect();
  try {
    return await work(sql);
  } finally {
    await sql.end();
  }
}
