import { Server, Socket, createConnection, createServer } from 'node:net';
import { AddressInfo } from 'node:net';
import { INestApplication } from '@nestjs/common';
import { loadConfig } from '@omni/config';
import { createLogger } from '@omni/observability';
import { bootstrapService } from '@omni/runtime';
import { TestDatabase, TestKafka, testDatabase, testKafka, waitFor } from '@omni/testing';
import { DeviceServiceConfig } from '../src/config';
import { DeviceServiceModule } from '../src/device-service.module';

const logger = createLogger('device-service-test', 'silent');

/**
 * A TCP relay to PostgreSQL that can be cut: while cut, it drops every open connection and every
 * new one at once, as a database that went away (a failover, a network partition) does.
 */
class CuttableRelay {
  private readonly server: Server;
  private readonly open = new Set<Socket>();
  private cut = false;

  constructor(private readonly target: { host: string; port: number }) {
    this.server = createServer((client) => {
      if (this.cut) {
        client.destroy();
        return;
      }
      const upstream = createConnection(this.target);
      for (const socket of [client, upstream]) {
        this.open.add(socket);
        socket.on('close', () => this.open.delete(socket));
        socket.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as AddressInfo).port;
  }

  cutOff(): void {
    this.cut = true;
    for (const socket of this.open) socket.destroy();
  }

  restore(): void {
    this.cut = false;
  }

  async close(): Promise<void> {
    this.cutOff();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

/**
 * Readiness when a dependency goes away: device-service in-process on the real broker, its
 * database reached through a relay the test cuts. Over real HTTP, /health/ready answers 503
 * naming the check that is down (and only that one), then 200 again once the database is back.
 */
describe('device-service readiness when its database goes away', () => {
  let db: TestDatabase;
  let kafka: TestKafka;
  let relay: CuttableRelay;
  let app: INestApplication;
  let base: string;

  beforeAll(async () => {
    [db, kafka] = await Promise.all([testDatabase(), testKafka()]);
    const real = new URL(db.url);
    relay = new CuttableRelay({ host: real.hostname, port: Number(real.port || 5432) });
    const relayed = new URL(db.url);
    relayed.hostname = '127.0.0.1';
    relayed.port = String(await relay.listen());
    const config = loadConfig(DeviceServiceConfig, { DATABASE_URL: relayed.toString(), KAFKA_BROKERS: kafka.brokers.join(','), KAFKA_TOPIC_PREFIX: kafka.prefix, PORT: '0' });
    app = await bootstrapService({ name: 'device-service', module: DeviceServiceModule.register(config, logger), logger, port: 0, host: '127.0.0.1', consume: true });
    base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  }, 120_000);

  afterAll(async () => {
    relay?.restore();
    await app?.close();
    await relay?.close();
    await db?.drop();
  });

  async function ready(): Promise<{ status: number; body: { status: string; checks: Record<string, string> }; text: string }> {
    const response = await fetch(`${base}/health/ready`);
    const text = await response.text();
    return { status: response.status, body: JSON.parse(text) as { status: string; checks: Record<string, string> }, text };
  }

  it('is ready with every check up: database, broker, its consumer, its settings consumer and its outbox relay', async () => {
    const answer = await waitFor(async () => {
      const current = await ready();
      return current.status === 200 ? current : undefined;
    }, { description: 'device-service ready', timeoutMs: 30_000 });
    expect(answer.body).toEqual({ status: 'up', checks: { database: 'up', kafka: 'up', consumer: 'up', 'settings-consumer': 'up', 'outbox-relay': 'up' } });
  });

  it('answers 503 naming the database check once the database is gone, and 200 once it is back', async () => {
    relay.cutOff();
    const down = await waitFor(async () => {
      const current = await ready();
      return current.status === 503 ? current : undefined;
    }, { description: 'readiness to answer 503', timeoutMs: 30_000 });
    expect(down.body.status).toBe('down');
    expect(down.body.checks).toMatchObject({ database: 'down', kafka: 'up' });
    // Why it is down (the driver's message, the address) is for the logs, not for the probe.
    expect(down.text).not.toMatch(/ECONN|127\.0\.0\.1|Connection terminated|Exception/);

    relay.restore();
    const back = await waitFor(async () => {
      const current = await ready();
      return current.status === 200 ? current : undefined;
    }, { description: 'readiness to answer 200 again', timeoutMs: 30_000 });
    expect(back.body).toEqual({ status: 'up', checks: { database: 'up', kafka: 'up', consumer: 'up', 'settings-consumer': 'up', 'outbox-relay': 'up' } });
  });
});
