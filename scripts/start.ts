/**
 * `npm start`: everything on one machine.
 *
 * 1. Kafka: a local single-node broker (official jars, KRaft) unless KAFKA_BROKERS is set.
 * 2. PostgreSQL from DATABASE_URL (default: the local server), database created if missing, migrations.
 * 3. Topics.
 * 4. Every app as its own process, logs prefixed with its name.
 * 5. A demo application, whose credentials are printed with a ready-to-paste curl.
 * Ctrl-C stops everything it started.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import concurrently from 'concurrently';
import { DEFAULT_DATABASE_URL } from '../libs/config/src';
import { LocalKafkaHandle, startLocalKafka } from '../libs/dev-kafka/src';
import { redactUrl } from '../libs/persistence/src';
import { APP_NODE_FLAGS } from '../libs/runtime/src/node-flags';
import { devSecrets } from './lib/dev-secrets';
import { fetchText } from './lib/http';
import { APPS } from './lib/services';
import { createTopics, migrateAll } from './lib/setup';

const root = path.resolve(__dirname, '..');
const gatewayPort = Number(process.env.PORT || 3000);
const host = process.env.HOST || '127.0.0.1';
/** Deadlines of the calls to the gateway: a readiness probe, an admin call. */
const PROBE_TIMEOUT_MS = 5_000;
const CALL_TIMEOUT_MS = 30_000;

async function main(): Promise<void> {
  const started = Date.now();
  let kafka: LocalKafkaHandle | undefined;
  if (!process.env.KAFKA_BROKERS) {
    const port = Number(process.env.KAFKA_PORT || 9092);
    console.log(`[start] KAFKA_BROKERS not set: starting a local Kafka broker on 127.0.0.1:${port}`);
    kafka = await startLocalKafka({ port });
    process.env.KAFKA_BROKERS = kafka.brokers.join(',');
  }
  const databaseUrl = process.env.DATABASE_URL || DEFAULT_DATABASE_URL;
  process.env.DATABASE_URL = databaseUrl;
  const applied = await migrateAll(databaseUrl);
  console.log(`[start] database ${redactUrl(databaseUrl)}: ${applied.length} migration(s) applied`);
  const topics = await createTopics();
  console.log(`[start] Kafka ${process.env.KAFKA_BROKERS}: ${topics.length} topic(s) created`);

  const secrets = devSecrets(root);
  const env = {
    ...process.env,
    ADMIN_SECRET: process.env.ADMIN_SECRET || secrets.ADMIN_SECRET,
    SECRET_HASH_KEY: process.env.SECRET_HASH_KEY || secrets.SECRET_HASH_KEY,
  };
  const { result } = concurrently(
    APPS.map((app) => ({
      name: app.name,
      command: `node ${APP_NODE_FLAGS.join(' ')} apps/${app.name}/src/main.ts`,
      env: { ...env, PORT: String(app.name === 'gateway' ? gatewayPort : app.port) },
    })),
    { prefix: 'name', cwd: root, killOthersOn: ['failure'], prefixColors: ['cyan', 'green', 'yellow', 'magenta', 'blue'] },
  );

  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    await kafka?.stop();
    process.exit(code);
  };
  result.then(
    () => void stop(0),
    () => void stop(stopping ? 0 : 1),
  );
  process.on('SIGINT', () => void result.finally(() => stop(0)));
  process.on('SIGTERM', () => void result.finally(() => stop(0)));

  const gateway = `http://${host}:${gatewayPort}`;
  await waitForReady(`${gateway}/health/ready`, 120_000);
  const demo = await demoApplication(gateway, env.ADMIN_SECRET);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(`
[start] ready in ${seconds}s — gateway ${gateway}
[start] admin credential: admin:${env.ADMIN_SECRET}
[start] demo application "${demo.name}": key ${demo.applicationKey}
[start]   application secret (SDK calls): ${demo.applicationSecret}
[start]   master secret (backend calls):  ${demo.masterSecret}
[start] try it:
  curl -s -u '${demo.applicationKey}:${demo.masterSecret}' -X PUT -H 'Content-Type: application/json' \\
    -d '{"userName":"John Doe"}' ${gateway}/user/foruserid/U123456789
  curl -s -u '${demo.applicationKey}:${demo.masterSecret}' ${gateway}/user/foruserid/U123456789
[start] Ctrl-C stops everything.
`);
}

async function waitForReady(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetchText(url, {}, PROBE_TIMEOUT_MS)).ok) return;
    } catch {
      // not listening yet, or not answering yet
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`${url} not ready after ${timeoutMs / 1000}s`);
}

interface DemoApplication {
  name: string;
  applicationKey: string;
  applicationSecret: string;
  masterSecret: string;
}

/** The demo application created on first start (its secrets kept in .cache/demo-app.json). */
async function demoApplication(gateway: string, adminSecret: string): Promise<DemoApplication> {
  const file = path.join(root, '.cache', `demo-app-${Buffer.from(process.env.DATABASE_URL ?? '').toString('base64url').slice(0, 40)}.json`);
  if (existsSync(file)) {
    const demo = JSON.parse(readFileSync(file, 'utf8')) as DemoApplication;
    const probe = await fetchText(
      `${gateway}/user/foruserid/demo-probe`,
      { headers: { authorization: `Basic ${Buffer.from(`${demo.applicationKey}:${demo.masterSecret}`).toString('base64')}` } },
      CALL_TIMEOUT_MS,
    );
    if (probe.status !== 401) return demo;
  }
  const response = await fetchText(
    `${gateway}/admin/applications`,
    {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Basic ${Buffer.from(`admin:${adminSecret}`).toString('base64')}`,
      },
      body: JSON.stringify({ name: 'Demo' }),
    },
    CALL_TIMEOUT_MS,
  );
  if (response.status !== 201) throw new Error(`creating the demo application failed: ${response.status} ${response.text}`);
  const { application } = JSON.parse(response.text) as { application: DemoApplication };
  writeFileSync(file, JSON.stringify(application, null, 2), { mode: 0o600 });
  return application;
}

main().catch((error: unknown) => {
  console.error('[start] failed:', error);
  process.exit(1);
});
