/**
 * `npm start`: everything on one machine.
 *
 * 0. Checks first, touching nothing: Node.js 24+, the ports free (the apps', the broker's when it
 *    starts one), PostgreSQL reachable, Java (and Maven, for a first download) when it starts a broker.
 * 1. The apps compiled into dist/ (Nx build, cached).
 * 2. Kafka: a local single-node broker (official jars, KRaft) unless KAFKA_BROKERS is set.
 * 3. PostgreSQL from DATABASE_URL (default: the local server), database created if missing, migrations.
 * 4. Topics.
 * 5. Every app as its own process, logs prefixed with its name (pretty on a terminal).
 * 6. A demo application, whose credentials are printed with a ready-to-paste curl.
 *
 * SIGINT (Ctrl-C), SIGTERM and SIGHUP stop everything it started, apps first, then the broker, and
 * it exits 0; so does the end of its parent (npm killed). If it is killed itself, the apps and the
 * broker notice and stop (AppSupervisor, startLocalKafka's stopWithParent). A broker that ends by
 * itself stops everything too; one out of memory is restarted (superviseKafka).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { DEFAULT_DATABASE_URL } from '../libs/config/src';
import { LocalKafkaHandle, kafkaJarsCached, startLocalKafka } from '../libs/dev-kafka/src';
import { redactUrl } from '../libs/persistence/src';
import { buildApps } from '../libs/runtime/src/build-apps';
import { devSecrets } from './lib/dev-secrets';
import { fetchText } from './lib/http';
import { unsupportedNode } from './lib/node-version';
import { busyPorts, describeBusyPort } from './lib/ports';
import { APPS } from './lib/services';
import { createTopics, migrateAll } from './lib/setup';
import { AppExit, AppSupervisor } from './lib/supervisor';

const root = path.resolve(__dirname, '..');
const gatewayPort = Number(process.env.PORT || 3000);
/** The services' ports start here, in the order of APPS (3101–3104 by default). */
const servicesPort = Number(process.env.SERVICES_PORT || 3101);
const portOf = (app: (typeof APPS)[number]) => (app.name === 'gateway' ? gatewayPort : servicesPort + APPS.indexOf(app) - 1);
const host = process.env.HOST || '127.0.0.1';
/** Deadlines of the calls to the gateway: a readiness probe, an admin call. */
const PROBE_TIMEOUT_MS = 5_000;
const CALL_TIMEOUT_MS = 30_000;

/** What the user must do before `npm start` can work: said in one line, exit code 1. */
class Prerequisite extends Error {}

let stopEverything: ((reason: string, exitCode: number) => Promise<void>) | undefined;

/** A broker out of memory is restarted, up to this many times in the window; then everything stops. */
const KAFKA_RESTARTS_MAX = 3;
const KAFKA_RESTART_WINDOW_MS = 10 * 60_000;
const kafkaRestarts: number[] = [];

/**
 * The local broker, watched: if it runs out of memory (out of direct memory it keeps running and
 * fails requests, #25; out of heap it ends), it is restarted and the apps reconnect by themselves —
 * up to KAFKA_RESTARTS_MAX times in KAFKA_RESTART_WINDOW_MS; if it ends by itself otherwise,
 * everything stops (as when an app does).
 */
function superviseKafka(broker: LocalKafkaHandle, port: number, replaced: (broker: LocalKafkaHandle) => void): void {
  broker.watch((trouble) => {
    if (trouble.kind === 'exited') {
      void stopEverything?.(`the Kafka broker ended unexpectedly (${trouble.signal ?? `exit code ${trouble.code}`}; its log: ${broker.logFile})`, 1);
      return;
    }
    const cause = `${trouble.line.trim().slice(0, 200)}; its log: ${broker.logFile}`;
    const recent = kafkaRestarts.filter((at) => at > Date.now() - KAFKA_RESTART_WINDOW_MS);
    if (recent.length >= KAFKA_RESTARTS_MAX) {
      void stopEverything?.(`the Kafka broker ran out of memory again (${cause})`, 1);
      return;
    }
    kafkaRestarts.push(Date.now());
    console.log(`[start] the Kafka broker ran out of memory (${cause}): restarting it; the apps reconnect by themselves`);
    void broker
      .stop()
      .then(() => startLocalKafka({ port, stopWithParent: true }))
      .then((restarted) => {
        replaced(restarted);
        superviseKafka(restarted, port, replaced);
      })
      .catch((error: Error) => void stopEverything?.(`the Kafka broker did not start again (${error.message.split('\n')[0]})`, 1));
  });
}

async function main(): Promise<void> {
  const started = Date.now();
  const startsKafka = !process.env.KAFKA_BROKERS;
  const kafkaPort = Number(process.env.KAFKA_PORT || 9092);
  const databaseUrl = process.env.DATABASE_URL || DEFAULT_DATABASE_URL;
  await checkPrerequisites({ startsKafka, kafkaPort, databaseUrl });

  buildApps();
  console.log(`[start] apps built into dist/ (${((Date.now() - started) / 1000).toFixed(1)}s; unchanged projects come from the build cache)`);

  const colored = process.stdout.isTTY === true;
  const supervisor = new AppSupervisor(root, colored);
  let kafka: LocalKafkaHandle | undefined;
  let stopping = false;
  stopEverything = async (reason: string, exitCode: number) => {
    if (stopping) return;
    stopping = true;
    console.log(`[start] ${reason}: stopping the apps${kafka?.startedByUs ? ', then the Kafka broker' : ''}…`);
    for (const exit of await supervisor.stopAll()) {
      if (exit.code !== 0) console.log(`[start] ${exit.name} ended with ${exit.signal ?? `exit code ${exit.code}`}`);
    }
    await kafka?.stop();
    console.log('[start] stopped.');
    process.exit(exitCode);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void stopEverything?.(`received ${signal}`, 0));
  watchParent(() => void stopEverything?.('its parent (npm) ended', 0));

  if (startsKafka) {
    console.log(`[start] KAFKA_BROKERS not set: starting a local Kafka broker on 127.0.0.1:${kafkaPort}`);
    kafka = await startLocalKafka({ port: kafkaPort, stopWithParent: true }).catch((error: Error) => {
      if (!error.message.startsWith('mvn ')) throw error;
      const detail = error.message.split('\n').find((line) => line.includes('ERROR')) ?? error.message.split('\n')[1] ?? '';
      throw new Prerequisite(
        `the Kafka jars could not be fetched from Maven Central (${detail.trim().slice(0, 200)}): check Maven's network or proxy settings (~/.m2/settings.xml), or set KAFKA_BROKERS to a broker you run`,
      );
    });
    process.env.KAFKA_BROKERS = kafka.brokers.join(',');
    superviseKafka(kafka, kafkaPort, (restarted) => (kafka = restarted));
  }
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
    ...(colored && !process.env.LOG_FORMAT ? { LOG_FORMAT: 'pretty' } : {}),
  };
  const unexpected = (exit: AppExit) => void stopEverything?.(`${exit.name} ended unexpectedly (${exit.signal ?? `exit code ${exit.code}`})`, 1);
  for (const app of APPS) supervisor.start(app.name, { ...env, PORT: String(portOf(app)) }, unexpected);

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

/** Everything `npm start` needs, checked before it starts anything: the first missing one is thrown. */
async function checkPrerequisites(options: { startsKafka: boolean; kafkaPort: number; databaseUrl: string }): Promise<void> {
  const oldNode = unsupportedNode(process.version);
  if (oldNode) throw new Prerequisite(oldNode);
  const ports = APPS.map((app) => ({ port: portOf(app), purpose: app.name }));
  if (options.startsKafka) ports.push({ port: options.kafkaPort, purpose: 'Kafka broker' }, { port: options.kafkaPort + 1, purpose: 'Kafka controller' });
  const busy = await busyPorts(
    ports.map(({ port }) => port),
    host,
  );
  if (busy.length > 0) {
    const lines = busy.map((entry) => describeBusyPort(entry, ports.find(({ port }) => port === entry.port)!.purpose));
    throw new Prerequisite(`${lines.join('; ')} — is another \`npm start\` running? Stop it, or set PORT / KAFKA_PORT`);
  }
  await checkDatabase(options.databaseUrl);
  if (options.startsKafka) {
    if (!commandRuns('java', ['-version'])) {
      throw new Prerequisite('Java 17+ is needed for the local Kafka broker and `java` was not found: install a JDK (e.g. `apt-get install openjdk-17-jdk-headless`), or set KAFKA_BROKERS to a broker you run');
    }
    if (!kafkaJarsCached() && !commandRuns('mvn', ['--version'])) {
      throw new Prerequisite('Maven is needed once, to fetch the Kafka jars from Maven Central, and `mvn` was not found: install it (e.g. `apt-get install maven`), or set KAFKA_BROKERS');
    }
  }
}

async function checkDatabase(databaseUrl: string): Promise<void> {
  // The server's own database: the application's is created by the migrations if missing.
  const url = new URL(databaseUrl);
  url.pathname = '/postgres';
  const client = new Client({ connectionString: url.toString(), connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new Prerequisite(
      `PostgreSQL is not reachable at ${redactUrl(databaseUrl)} (${reason}): start the server, or set DATABASE_URL to one (e.g. postgres://user@host:5432/omni_profiles)`,
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}

function commandRuns(command: string, args: string[]): boolean {
  const result = spawnSync(command, args, { stdio: 'ignore', timeout: 30_000 });
  return result.error === undefined && result.status === 0;
}

/** Calls `onGone` once this process's parent ends (npm killed): its ppid changes then. */
function watchParent(onGone: () => void): void {
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    onGone();
  }, 500);
  timer.unref();
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

main().catch(async (error: unknown) => {
  if (error instanceof Prerequisite) {
    console.error(`[start] ${error.message}`);
    process.exit(1);
  }
  console.error(`[start] failed: ${error instanceof Error ? error.message : String(error)}`);
  await stopEverything?.('start failed', 1);
  process.exit(1);
});
