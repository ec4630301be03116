import { randomUUID } from 'node:crypto';
import { INestApplication } from '@nestjs/common';
import { Client } from 'pg';
import {
  COMMAND_ACCEPTED,
  COMMAND_PROGRESS_CHANNEL,
  COMMAND_REJECTED,
  Envelope,
  REGISTER_DEVICE,
  Topics,
  newEnvelope,
  parseProgressPayload,
} from '@omni/contracts';
import { MessagePublisher, createKafka, recordFor } from '@omni/messaging';
import { createLogger } from '@omni/observability';
import { TestDatabase, TestKafka, testDatabase, testKafka, waitFor } from '@omni/testing';
import { EventStream } from './event-stream';
import { startProjection } from './projection-harness';

const logger = createLogger('projection-progress-test', 'silent');

/**
 * What the gateways hear on the command-progress channel: a visible outcome itself (the write it
 * answers needs no query), or — while its events are not applied yet — only a correlation id.
 */
describe('command progress notifications (real broker and database)', () => {
  let db: TestDatabase;
  let kafka: TestKafka;
  let app: INestApplication;
  let listener: Client;
  let publisher: MessagePublisher;
  const payloads: string[] = [];

  beforeAll(async () => {
    [db, kafka] = await Promise.all([testDatabase(), testKafka()]);
    app = await startProjection(db.url, kafka, logger);
    listener = new Client({ connectionString: db.url });
    await listener.connect();
    listener.on('notification', (message) => payloads.push(message.payload ?? ''));
    await listener.query(`LISTEN ${COMMAND_PROGRESS_CHANNEL}`);
    const settings = kafka.settings('progress-test');
    publisher = new MessagePublisher(createKafka(settings, logger), settings);
    await publisher.connect();
  }, 60_000);

  afterAll(async () => {
    await publisher?.disconnect();
    await listener?.end();
    await app?.close();
    await db?.drop();
  });

  const accepted = (event: Envelope, version: number) =>
    newEnvelope({
      type: COMMAND_ACCEPTED,
      application: event.application,
      aggregateId: event.aggregateId,
      aggregateVersion: version,
      correlationId: event.correlationId,
      payload: { commandId: randomUUID(), commandType: REGISTER_DEVICE, aggregateType: 'device', created: true, result: { deviceID: event.aggregateId } },
    });

  const heard = (correlationId: string) => payloads.map(parseProgressPayload).filter((notice) => notice.correlationId === correlationId);

  it('an outcome whose event is applied is notified with the outcome itself', async () => {
    const stream = new EventStream(`app-${randomUUID().slice(0, 8)}`);
    const event = stream.deviceRegistered(`dev-${randomUUID()}`);
    const outcome = accepted(event, 1);
    await publisher.publish([recordFor(Topics.deviceEvents, event), recordFor(Topics.commandOutcomes, outcome)]);

    await waitFor(() => heard(event.correlationId).some((notice) => notice.outcome), { timeoutMs: 20_000, description: 'the outcome notified' });
    const notice = heard(event.correlationId).find((n) => n.outcome)!.outcome!;
    expect(notice).toEqual({
      correlationId: event.correlationId,
      commandId: outcome.payload.commandId,
      status: 'accepted',
      commandType: REGISTER_DEVICE,
      created: true,
      result: { deviceID: event.aggregateId },
      error: null,
    });
  });

  it('an outcome whose event is not applied yet is notified by correlation id only', async () => {
    const stream = new EventStream(`app-${randomUUID().slice(0, 8)}`);
    const event = stream.deviceRegistered(`dev-${randomUUID()}`);
    // Version 2: the read model has nothing of this device, so the outcome is not visible.
    await publisher.publish([recordFor(Topics.commandOutcomes, accepted(event, 2))]);

    await waitFor(() => heard(event.correlationId).length > 0, { timeoutMs: 20_000, description: 'the outcome signalled' });
    expect(heard(event.correlationId).every((notice) => notice.outcome === undefined)).toBe(true);
  });

  it('a rejection is notified with its error', async () => {
    const stream = new EventStream(`app-${randomUUID().slice(0, 8)}`);
    const event = stream.deviceRegistered(`dev-${randomUUID()}`);
    const commandId = randomUUID();
    const rejected = newEnvelope({
      type: COMMAND_REJECTED,
      application: event.application,
      aggregateId: event.aggregateId,
      aggregateVersion: null,
      correlationId: event.correlationId,
      payload: { commandId, commandType: REGISTER_DEVICE, aggregateType: 'device', status: 404, code: 'DEVICE_NOT_FOUND', message: 'no such device' },
    });
    await publisher.publish([recordFor(Topics.commandOutcomes, rejected)]);

    await waitFor(() => heard(event.correlationId).some((notice) => notice.outcome), { timeoutMs: 20_000, description: 'the rejection notified' });
    expect(heard(event.correlationId).find((n) => n.outcome)!.outcome).toMatchObject({
      commandId,
      status: 'rejected',
      error: { status: 404, code: 'DEVICE_NOT_FOUND', message: 'no such device', fields: [] },
    });
  });
});
