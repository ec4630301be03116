import { randomBytes, randomUUID } from 'node:crypto';
import { Consumer } from 'kafkajs';
import { DEAD_LETTER_SUFFIX, Envelope, PROFILE_SNAPSHOT, ProfileSnapshot, TOPIC_SPECS, Topics, deadLetterTopic } from '@omni/contracts';
import { qualify, unqualify } from '@omni/messaging';
import {
  ApiClient,
  ApiResponse,
  ApplicationCredentials,
  TestDatabase,
  TestKafka,
  TestStack,
  createApplication,
  testDatabase,
  testKafka,
  waitFor,
} from '@omni/testing';

/** A record as received, with the (unqualified) topic it came from. */
interface Received {
  topic: string;
  partition: number;
  key: string | null;
  value: string | null;
  headers: Record<string, string>;
}

/** Every topic of the contracts and every dead-letter topic, recorded from the beginning by one consumer. */
class AllTopicsRecorder {
  readonly records: Received[] = [];
  private consumer?: Consumer;

  constructor(
    private readonly kafka: TestKafka,
    readonly topics: string[],
  ) {}

  async start(): Promise<this> {
    this.consumer = this.kafka.client.consumer({ groupId: `${this.kafka.prefix}isolation-${randomBytes(4).toString('hex')}`, maxWaitTimeInMs: 100 });
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: this.topics.map((topic) => qualify({ topicPrefix: this.kafka.prefix }, topic)), fromBeginning: true });
    await this.consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        this.records.push({
          topic: unqualify({ topicPrefix: this.kafka.prefix }, topic),
          partition,
          key: message.key?.toString('utf8') ?? null,
          value: message.value?.toString('utf8') ?? null,
          headers: Object.fromEntries(Object.entries(message.headers ?? {}).map(([name, value]) => [name, value?.toString() ?? ''])),
        });
      },
    });
    return this;
  }

  on(topic: string): Received[] {
    return this.records.filter((record) => record.topic === topic);
  }

  /** Wait until every record the topics hold now has been received. */
  async catchUp(): Promise<void> {
    const admin = this.kafka.client.admin();
    await admin.connect();
    try {
      for (const topic of this.topics) {
        const offsets = await admin.fetchTopicOffsets(qualify({ topicPrefix: this.kafka.prefix }, topic));
        const held = offsets.reduce((sum, partition) => sum + Number(partition.high) - Number(partition.low), 0);
        await waitFor(() => this.on(topic).length >= held, { timeoutMs: 20_000, description: `all ${held} record(s) of ${topic}` });
      }
    } finally {
      await admin.disconnect();
    }
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}

/**
 * Tenant isolation on the wire: two applications use the very same userID, deviceID, email address
 * and phone number. Every command, event, outcome, settings event and snapshot must be keyed and
 * enveloped with its own application, so that the two tenants' aggregates never share a key — never
 * an ordering, a compaction slot or a snapshot — and a read through one application's credentials
 * never shows the other's data.
 */
describe('tenant isolation on Kafka: the same ids in two applications', () => {
  let db: TestDatabase;
  let kafka: TestKafka;
  let stack: TestStack;
  let recorder: AllTopicsRecorder;

  const userID = `shared-user-${randomUUID()}`;
  const deviceID = `shared-device-${randomUUID()}`;
  const email = `shared-${randomUUID().slice(0, 8)}@example.com`;
  const phone = `+3161${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;

  /** One tenant: its credentials, its own markers (tag, name, nickname) and the command ids its writes produced. */
  interface Tenant {
    label: 'A' | 'B';
    app: ApplicationCredentials;
    master: ApiClient;
    sdk: ApiClient;
    tag: string;
    userName: string;
    nickname: string;
    commandIds: Set<string>;
    recipientIds: string[];
  }
  const tenants: Tenant[] = [];
  const tenantOf = (application: string) => tenants.find((tenant) => tenant.app.applicationKey === application);

  const consumedTopics = TOPIC_SPECS.map((spec) => spec.name);
  const deadLetterTopics = TOPIC_SPECS.filter((spec) => spec.deadLetter).map((spec) => deadLetterTopic(spec.name));
  const envelopeTopics = consumedTopics.filter((topic) => topic !== Topics.profileSnapshots);

  beforeAll(async () => {
    [db, kafka] = await Promise.all([testDatabase(), testKafka()]);
    recorder = await new AllTopicsRecorder(kafka, [...consumedTopics, ...deadLetterTopics]).start();
    stack = await new TestStack({ databaseUrl: db.url, brokers: kafka.brokers, topicPrefix: kafka.prefix }).start();
    for (const label of ['A', 'B'] as const) {
      const app = await createApplication(stack.gatewayUrl, stack.adminSecret, `Tenant ${label}`);
      tenants.push({
        label,
        app,
        master: new ApiClient(stack.gatewayUrl).as(app.applicationKey, app.masterSecret),
        sdk: new ApiClient(stack.gatewayUrl).as(app.applicationKey, app.applicationSecret),
        tag: `only-${label}-${randomUUID().slice(0, 8)}`,
        userName: `User of ${label} ${randomUUID().slice(0, 8)}`,
        nickname: `nick-${label}-${randomUUID().slice(0, 8)}`,
        commandIds: new Set(),
        recipientIds: [],
      });
    }
    // Both tenants write the same ids, interleaved write by write, through the gateway.
    const expectWrite = async (tenant: Tenant, write: Promise<ApiResponse>, status: number) => {
      const answer = await write;
      expect({ tenant: tenant.label, status: answer.status, body: answer.body }).toEqual({ tenant: tenant.label, status, body: expect.anything() });
      const commandId = answer.headers.get('x-correlation-id');
      if (commandId) tenant.commandIds.add(commandId);
      return answer;
    };
    const steps: ((tenant: Tenant) => Promise<unknown>)[] = [
      (t) => expectWrite(t, t.master.post('/application/userdatafields', { key: 'nickname', label: 'Nickname', type: 'text' }), 201),
      (t) => expectWrite(t, t.sdk.post('/device', { deviceID, platform: 'iOS', transport: 'APNS', language: 'en', region: 'NL' }), 201),
      (t) => expectWrite(t, t.sdk.put(`/device/${deviceID}/addtag`, { tag: t.tag }), 200),
      (t) => expectWrite(t, t.master.put(`/device/${deviceID}/user`, { userID, userName: t.userName }), 200),
      async (t) => {
        const created = await expectWrite(t, t.master.post('/email', { email, userID, userName: t.userName, tags: [t.tag] }), 201);
        t.recipientIds.push(created.body.device.deviceID as string);
      },
      async (t) => {
        const created = await expectWrite(t, t.master.post('/sms', { phone, userID, userName: t.userName, tags: [t.tag] }), 201);
        t.recipientIds.push(created.body.device.deviceID as string);
      },
      (t) => expectWrite(t, t.master.put(`/user/foruserid/${userID}/userdata/override`, { userData: { nickname: t.nickname } }), 200),
      (t) => expectWrite(t, t.master.put(`/user/foruserid/${userID}`, { userName: t.userName }), 200),
    ];
    for (const step of steps) for (const tenant of tenants) await step(tenant);

    // The last snapshot of each tenant's user carries its last write; then everything on the topics is recorded.
    for (const tenant of tenants) {
      await waitFor(
        () => {
          const latest = latestSnapshot(tenant);
          return latest?.userName === tenant.userName && latest.userData.nickname === tenant.nickname && latest.channels.sms.length === 1;
        },
        { timeoutMs: 30_000, description: `the final snapshot of ${tenant.label}` },
      );
    }
    await recorder.catchUp();
  }, 180_000);

  afterAll(async () => {
    await recorder?.stop();
    await stack?.stop();
    await db?.drop();
  });

  /** The last snapshot recorded under a tenant's key for the shared userID. */
  function latestSnapshot(tenant: Tenant): ProfileSnapshot | undefined {
    const records = recorder.on(Topics.profileSnapshots).filter((record) => record.key === `${tenant.app.applicationKey}:${userID}`);
    const last = records.at(-1);
    return last?.value ? (JSON.parse(last.value) as ProfileSnapshot) : undefined;
  }

  it('drove both tenants through the same aggregate ids (the collision this test is about)', () => {
    const [a, b] = tenants;
    // The same address gives the same recipient id in both applications: only the key's application tells them apart.
    expect(a.recipientIds).toEqual(b.recipientIds);
    for (const [topic, aggregateId] of [
      [Topics.deviceCommands, deviceID],
      [Topics.deviceEvents, deviceID],
      [Topics.profileCommands, userID],
      // profile.events: a user event's aggregate id is the user's subject key id (crypto-shredding),
      // which is per application by construction; its key is checked with every other below.
      [Topics.recipientCommands, a.recipientIds[0]],
      [Topics.recipientEvents, a.recipientIds[1]],
    ] as const) {
      const applications = new Set(
        recorder
          .on(topic)
          .map((record) => JSON.parse(record.value ?? 'null') as Envelope)
          .filter((envelope) => envelope.aggregateId === aggregateId)
          .map((envelope) => envelope.application),
      );
      expect({ topic, applications: [...applications].sort() }).toEqual({ topic, applications: [a.app.applicationKey, b.app.applicationKey].sort() });
    }
  });

  it('every command, event, outcome and settings event is keyed `<application>:<aggregate>` and enveloped with that application', () => {
    let checked = 0;
    for (const topic of envelopeTopics) {
      for (const record of recorder.on(topic)) {
        const envelope = JSON.parse(record.value ?? 'null') as Envelope | null;
        expect({ topic, hasValue: envelope !== null }).toEqual({ topic, hasValue: true });
        if (!envelope) continue;
        expect({ topic, type: envelope.type, key: record.key, header: record.headers.application, ownTenant: tenantOf(envelope.application)?.label }).toEqual({
          topic,
          type: envelope.type,
          key: `${envelope.application}:${envelope.aggregateId}`,
          header: envelope.application,
          ownTenant: expect.stringMatching(/^[AB]$/),
        });
        checked += 1;
      }
    }
    // Per tenant at least: one settings event, 7 commands, their events and 7 outcomes.
    expect(checked).toBeGreaterThanOrEqual(2 * (1 + 7 + 7 + 7));
    expect(recorder.on(Topics.applicationEvents).map((record) => record.key).sort()).toEqual(
      expect.arrayContaining(tenants.map((tenant) => `${tenant.app.applicationKey}:${tenant.app.applicationKey}`)),
    );
  });

  it("every message of a write carries the application whose credentials made it (command, its events, its outcome)", () => {
    for (const tenant of tenants) {
      expect({ tenant: tenant.label, writes: tenant.commandIds.size }).toEqual({ tenant: tenant.label, writes: 7 });
      const messages = envelopeTopics
        .flatMap((topic) => recorder.on(topic).map((record) => ({ topic, envelope: JSON.parse(record.value ?? 'null') as Envelope })))
        .filter(({ envelope }) => tenant.commandIds.has(envelope.correlationId));
      // Each write: its command and its outcome at least, and the events it caused.
      expect(new Set(messages.filter(({ topic }) => topic.endsWith('.commands')).map(({ envelope }) => envelope.id))).toEqual(tenant.commandIds);
      expect(messages.filter(({ topic }) => topic === Topics.commandOutcomes)).toHaveLength(tenant.commandIds.size);
      expect(messages.filter(({ topic }) => topic.endsWith('.events')).length).toBeGreaterThanOrEqual(tenant.commandIds.size);
      for (const { topic, envelope } of messages) {
        expect({ tenant: tenant.label, topic, type: envelope.type, application: envelope.application }).toEqual({
          tenant: tenant.label,
          topic,
          type: envelope.type,
          application: tenant.app.applicationKey,
        });
      }
    }
  });

  it('profile.snapshots: two distinct records (keys), each with only its own channels and data', () => {
    const snapshots = recorder.on(Topics.profileSnapshots);
    expect(snapshots.length).toBeGreaterThanOrEqual(2);
    for (const record of snapshots) {
      const snapshot = JSON.parse(record.value ?? 'null') as ProfileSnapshot | null;
      expect(snapshot).not.toBeNull();
      if (!snapshot) continue;
      expect({ key: record.key, header: record.headers.application, type: record.headers['message-type'], ownTenant: tenantOf(snapshot.application)?.label }).toEqual({
        key: `${snapshot.application}:${snapshot.userID}`,
        header: snapshot.application,
        type: PROFILE_SNAPSHOT,
        ownTenant: expect.stringMatching(/^[AB]$/),
      });
      // No snapshot of one tenant, at any version, carries a marker of the other.
      const other = tenants.find((tenant) => tenant.app.applicationKey !== snapshot.application);
      for (const marker of [other?.tag, other?.userName, other?.nickname, other?.app.applicationKey]) {
        expect({ key: record.key, leaks: record.value?.includes(String(marker)) }).toEqual({ key: record.key, leaks: false });
      }
    }

    const keys = tenants.map((tenant) => `${tenant.app.applicationKey}:${userID}`);
    expect(new Set(keys).size).toBe(2);
    for (const tenant of tenants) {
      const latest = latestSnapshot(tenant);
      expect(latest).toMatchObject({
        application: tenant.app.applicationKey,
        userID,
        userName: tenant.userName,
        userData: { nickname: tenant.nickname },
        channels: {
          push: [expect.objectContaining({ deviceID, tags: [tenant.tag] })],
          email: [expect.objectContaining({ address: email, tags: [tenant.tag] })],
          sms: [expect.objectContaining({ address: phone, tags: [tenant.tag] })],
        },
      });
    }
  });

  it("reading one application's profile, user, device and channels never shows the other's data", async () => {
    for (const tenant of tenants) {
      const other = tenants.find((candidate) => candidate !== tenant) as Tenant;
      const reads = [
        await tenant.master.get(`/user/foruserid/${userID}/profile`),
        await tenant.master.get(`/user/foruserid/${userID}`),
        await tenant.master.get(`/device/${deviceID}`),
        await tenant.master.get(`/device/foruser/${userID}?medium=all`),
        await tenant.sdk.get(`/device/${deviceID}/tags`),
        await tenant.sdk.get(`/device/${deviceID}/userdata`),
      ];
      for (const read of reads) expect(read.status).toBe(200);
      const text = JSON.stringify(reads.map((read) => read.body));
      for (const marker of [other.tag, other.userName, other.nickname, other.app.applicationKey]) {
        expect({ tenant: tenant.label, leaks: text.includes(marker) }).toEqual({ tenant: tenant.label, leaks: false });
      }
      const profile = reads[0].body.profile;
      expect(profile).toMatchObject({ userID, userName: tenant.userName, userData: { nickname: tenant.nickname } });
      expect(profile.channels.push).toEqual([expect.objectContaining({ deviceID, tags: [tenant.tag] })]);
      expect(profile.channels.email).toEqual([expect.objectContaining({ tags: [tenant.tag] })]);
      expect(profile.channels.sms).toEqual([expect.objectContaining({ tags: [tenant.tag] })]);
      expect(reads[3].body.devices).toHaveLength(3);
    }
  });

  it("erasing one application's user erases only that one: its snapshot key gets the tombstone, the other's stays", async () => {
    const [a, b] = tenants;
    expect((await a.master.delete(`/user/foruserid/${userID}/remove`)).status).toBe(202);
    await waitFor(async () => (await a.master.get(`/user/foruserid/${userID}/profile`)).status === 404, { timeoutMs: 20_000, description: "A's user erased" });
    const other = await b.master.get(`/user/foruserid/${userID}/profile`);
    expect(other.body.profile).toMatchObject({ userID, userName: b.userName, userData: { nickname: b.nickname } });
    expect((await b.master.get(`/device/${deviceID}`)).body.device.userID).toBe(userID);

    await waitFor(() => recorder.on(Topics.profileSnapshots).some((r) => r.key === `${a.app.applicationKey}:${userID}` && r.value === null), {
      timeoutMs: 20_000,
      description: "A's tombstone",
    });
    const last = (tenant: (typeof tenants)[number]) => recorder.on(Topics.profileSnapshots).filter((r) => r.key === `${tenant.app.applicationKey}:${userID}`).at(-1);
    expect(last(a)?.value).toBeNull();
    expect(last(b)?.value).toContain(b.nickname);
  });

  it('nothing was dead-lettered: no consumer saw a key that did not match its envelope', () => {
    const dead = recorder.records.filter((record) => record.topic.endsWith(DEAD_LETTER_SUFFIX));
    expect(dead.map((record) => `${record.topic} ${record.headers['dlq-reason']}: ${record.headers['dlq-detail']}`)).toEqual([]);
  });
});
