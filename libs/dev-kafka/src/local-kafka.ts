/**
 * A single-node Apache Kafka broker (KRaft, combined broker + controller) on loopback, for
 * development, integration tests and benchmarks — without Docker.
 *
 * The official broker jars come from Maven Central: a pom generated from {@link KAFKA_VERSION}
 * (the single place where the version lives) is resolved with `mvn dependency:copy-dependencies`
 * into `<cacheDir>/<version>/lib`, once. The broker then runs as a plain `java` process whose
 * port, controller port and data directory are configurable, so that tests, `npm start` and a
 * benchmark never collide.
 *
 * Layout of a data directory:
 *   server.properties   written on every start from the options
 *   cluster.id          generated once (StorageTool random-uuid), reused afterwards
 *   kafka.pid           pid of the broker process while it runs
 *   kafka.log           the broker's stdout/stderr of the latest start (log4j, WARN and above)
 *   kraft/              Kafka's `log.dirs` (metadata log + topic partitions)
 *
 * `log.dirs` is a subfolder rather than the data directory itself because Kafka treats every
 * folder in a log dir as a topic partition and refuses to start on anything else (e.g. `logs/`).
 *
 * Memory: the broker shares the platform's budget of < 300 MB resident per process (docs/adr/0002).
 * Under a produce/consume load it peaks near 215 MB: a 160 MiB heap, a small log-cleaner buffer
 * and a C1-only JIT ({@link brokerJvmFlags}, {@link renderServerProperties}).
 */
import { spawn, spawnSync, type ChildProcess } from 'child_process';
import { existsSync, readFileSync } from 'fs';
import { mkdir, open, readFile, rename, rm, writeFile } from 'fs/promises';
import { connect } from 'net';
import * as path from 'path';
import { Kafka, logLevel, type Admin } from 'kafkajs';

/** The Apache Kafka release the local broker runs (newest 4.0.x patch served by Maven Central). */
export const KAFKA_VERSION = '4.0.2';

/** log4j2 release providing the SLF4J 1.x binding (Kafka 4.0 logs through slf4j 1.7). */
const LOG4J_VERSION = '2.24.3';
/** Pinned so that the copy does not depend on the Maven installation's default plugin version. */
const DEPENDENCY_PLUGIN_VERSION = '3.8.1';

const DEFAULT_PORT = 9092;
/**
 * The broker's live heap under load is about 45 MiB (the cleaner's dedupe buffer included): 160 MiB
 * leaves room for a 40 MiB eden, and young collections take about 1 % of the run time.
 */
const DEFAULT_HEAP_MB = 160;
/**
 * The log cleaner (compacted topics: `__consumer_offsets`, `profile.snapshots`) allocates its whole
 * dedupe buffer as one heap array when the broker starts: 128 MiB by default, which is most of the
 * resident memory a local broker needs. 16 MiB maps about 600,000 keys per cleaning pass (24 bytes a
 * key at a 0.9 load factor); a log with more keys is cleaned in several passes.
 */
const CLEANER_DEDUPE_BUFFER_BYTES = 16 * 1024 * 1024;
const DEFAULT_START_TIMEOUT_MS = 90_000;
const STOP_GRACE_MS = 20_000;
const LOG_TAIL_LINES = 30;
const JARS_COMPLETE_MARKER = '.complete';

export interface LocalKafkaOptions {
  /** PLAINTEXT listener port on 127.0.0.1 (default 9092). */
  port?: number;
  /** KRaft controller listener port on 127.0.0.1 (default port + 1). */
  controllerPort?: number;
  /** Broker state, config, pid file and log (default `<repo>/.cache/kafka/data-<port>`). */
  dataDir?: string;
  /** Where the broker jars are cached (default `<repo>/.cache/kafka`). */
  cacheDir?: string;
  /** JVM heap size in MiB, used for both -Xms and -Xmx (default 160). */
  heapMb?: number;
  /** The JVM's direct memory in MiB, `-XX:MaxDirectMemorySize` (default 64: see brokerJvmFlags). */
  directMemoryMb?: number;
  /** File receiving the broker's stdout/stderr (default `<dataDir>/kafka.log`). */
  logFile?: string;
  /** How long to wait for the broker to become usable (default 90 s). */
  startTimeoutMs?: number;
  /**
   * Stop the broker (SIGTERM) when the process that started it ends, however it ends (`npm start`
   * killed): Linux's parent-death signal, through util-linux's `setpriv`. Without `setpriv` (not
   * Linux) the broker outlives a killed parent, as it does when this is false (the default: the
   * `kafka:start` CLI exits and leaves its broker running).
   */
  stopWithParent?: boolean;
}

export interface LocalKafkaHandle {
  /** Bootstrap addresses, e.g. `['127.0.0.1:9092']`. */
  brokers: string[];
  /** False when an already running broker was reused; `stop()` then does nothing. */
  startedByUs: boolean;
  /** Pid of the broker process when this call started it. */
  pid?: number;
  /** The broker's output, when this call started it. */
  logFile?: string;
  /** SIGTERM, up to 20 s for a clean shutdown, then SIGKILL. */
  stop(): Promise<void>;
  /**
   * Calls `listener` once when the broker this call started logs an OutOfMemoryError (out of
   * direct memory it keeps running and fails requests, #25; out of heap it ends), or ends by itself
   * otherwise; not after `stop()`. Returns a function that stops watching. A reused broker is not
   * watched.
   */
  watch(listener: (trouble: BrokerTrouble) => void): () => void;
}

/** What `LocalKafkaHandle.watch` reports. */
export type BrokerTrouble =
  | { kind: 'exited'; code: number | null; signal: NodeJS.Signals | null }
  | { kind: 'out-of-memory'; line: string };

export interface LocalKafkaStatus {
  brokers: string[];
  /** Whether a Kafka broker answers on the port. */
  reachable: boolean;
  /** Pid recorded in the data dir's pid file, if that process is alive. */
  pid?: number;
}

/** Options with every default filled in. */
interface ResolvedOptions {
  port: number;
  controllerPort: number;
  dataDir: string;
  cacheDir: string;
  heapMb: number;
  directMemoryMb: number;
  logFile: string;
  startTimeoutMs: number;
  repoRoot: string;
}

// ---------------------------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------------------------

/**
 * Whether the broker jars of {@link KAFKA_VERSION} are already in the cache (no download, no Maven
 * needed). The marker holds the pom the jars were resolved from: a changed pom means a new copy.
 */
export function kafkaJarsCached(cacheDir: string = defaultCacheDir()): boolean {
  const versionDir = path.join(path.resolve(cacheDir), KAFKA_VERSION);
  try {
    return readFileSync(path.join(versionDir, JARS_COMPLETE_MARKER), 'utf8') === renderPom() && existsSync(path.join(versionDir, 'lib'));
  } catch {
    return false;
  }
}

/**
 * Makes sure the broker jars for {@link KAFKA_VERSION} are in `<cacheDir>/<version>/lib` and
 * returns that folder. Downloads only when the folder is missing or incomplete.
 */
export async function fetchKafkaJars(cacheDir: string = defaultCacheDir()): Promise<string> {
  const versionDir = path.join(path.resolve(cacheDir), KAFKA_VERSION);
  const libDir = path.join(versionDir, 'lib');
  const marker = path.join(versionDir, JARS_COMPLETE_MARKER);
  const pom = renderPom();

  if (kafkaJarsCached(cacheDir)) return libDir;

  console.log(`fetching Apache Kafka ${KAFKA_VERSION} from Maven Central (first run only)…`);
  await mkdir(versionDir, { recursive: true });
  const pomFile = path.join(versionDir, 'pom.xml');
  await writeFile(pomFile, pom);

  // Copy into a private folder first and move it into place at the end, so that an interrupted
  // or concurrent download never leaves a half-filled lib/ behind a marker.
  const partialDir = path.join(versionDir, `lib.partial-${process.pid}`);
  await rm(partialDir, { recursive: true, force: true });
  try {
    await runToCompletion('mvn', [
      '-q',
      '-B',
      '-f',
      pomFile,
      'dependency:copy-dependencies',
      `-DoutputDirectory=${partialDir}`,
      '-DincludeScope=runtime',
    ]);
    await rm(libDir, { recursive: true, force: true });
    await rename(partialDir, libDir);
  } finally {
    await rm(partialDir, { recursive: true, force: true });
  }
  await writeFile(marker, pom);
  return libDir;
}

/**
 * Starts a local broker, or reuses one that already answers on `127.0.0.1:<port>`, and resolves
 * once it can serve metadata and create/delete a topic.
 */
export async function startLocalKafka(opts: LocalKafkaOptions = {}): Promise<LocalKafkaHandle> {
  const o = resolveOptions(opts);
  const brokers = [`127.0.0.1:${o.port}`];
  const notOurs: LocalKafkaHandle = { brokers, startedByUs: false, stop: async () => undefined, watch: () => () => undefined };

  if (await isKafkaReachable(brokers, 5_000)) return notOurs;
  // A broker launched earlier for this data dir (e.g. by another process) may still be booting:
  // wait for it rather than start a second one that would fail on the data dir's lock.
  const bootingPid = await readLivePid(o.dataDir);
  if (bootingPid !== undefined) {
    await waitUntilReady(brokers, Date.now() + o.startTimeoutMs, () => !isProcessAlive(bootingPid));
    return notOurs;
  }
  if (await isPortOpen(o.port, 1_000)) {
    throw new Error(`127.0.0.1:${o.port} is in use by something that does not answer as a Kafka broker`);
  }

  const libDir = await fetchKafkaJars(o.cacheDir);
  const log4jConfig = path.join(o.repoRoot, 'tools', 'kafka', 'log4j2.xml');
  if (!existsSync(log4jConfig)) throw new Error(`missing broker logging config ${log4jConfig}`);

  const kraftDir = path.join(o.dataDir, 'kraft');
  await mkdir(kraftDir, { recursive: true });
  await mkdir(path.dirname(o.logFile), { recursive: true });
  const propsFile = path.join(o.dataDir, 'server.properties');
  await writeFile(propsFile, renderServerProperties(o.port, o.controllerPort, kraftDir));

  // JVM flags shared by the short-lived tool runs and the broker itself.
  const jvmCommon = [
    '-XX:+UseSerialGC',
    '-Djava.awt.headless=true',
    `-Dlog4j2.configurationFile=${log4jConfig}`,
    `-Dkafka.logs.dir=${path.join(o.dataDir, 'logs')}`,
    '-cp',
    `${libDir}${path.sep}*`, // expanded by java itself, no shell involved
  ];
  // Format once per data dir (meta.properties marks a formatted log dir); this saves a JVM launch
  // on every warm start. --ignore-formatted keeps a concurrent or repeated format harmless.
  if (!existsSync(path.join(kraftDir, 'meta.properties'))) {
    const clusterId = await ensureClusterId(o.dataDir, ['-Xmx128m', ...jvmCommon]);
    await runToCompletion('java', [
      '-Xmx256m',
      ...jvmCommon,
      'kafka.tools.StorageTool',
      'format',
      '-t',
      clusterId,
      '-c',
      propsFile,
      '--ignore-formatted',
    ]);
  }

  const child = await spawnBroker(
    [...brokerJvmFlags(o.heapMb, o.directMemoryMb), ...jvmCommon, 'kafka.Kafka', propsFile],
    o.dataDir,
    o.logFile,
    opts.stopWithParent === true,
  );
  const pid = child.pid as number;
  const pidFile = path.join(o.dataDir, 'kafka.pid');
  await writeFile(pidFile, `${pid}\n`);

  let stopping = false;
  const stop = async (): Promise<void> => {
    stopping = true;
    await terminate(pid, child);
    await removePidFileIfOwned(pidFile, pid);
  };

  try {
    await waitUntilReady(brokers, Date.now() + o.startTimeoutMs, () => child.exitCode !== null || child.signalCode !== null);
  } catch (err) {
    await stop();
    const tail = await tailFile(o.logFile, LOG_TAIL_LINES);
    throw new Error(`${errorMessage(err)}\n--- last ${LOG_TAIL_LINES} lines of ${o.logFile} ---\n${tail}`);
  }
  const watch = (listener: (trouble: BrokerTrouble) => void) => watchBroker(child, o.logFile, () => stopping, listener);
  return { brokers, startedByUs: true, pid, logFile: o.logFile, stop, watch };
}

/**
 * Stops a broker started earlier (possibly by another process) using the data dir's pid file.
 * Resolves true if a running broker was stopped, false if none was recorded or alive.
 */
export async function stopLocalKafka(opts: LocalKafkaOptions = {}): Promise<boolean> {
  const o = resolveOptions(opts);
  const pidFile = path.join(o.dataDir, 'kafka.pid');
  const pid = await readLivePid(o.dataDir);
  if (pid === undefined) {
    await rm(pidFile, { force: true });
    return false;
  }
  await terminate(pid);
  await removePidFileIfOwned(pidFile, pid);
  return true;
}

/** Whether the local broker for these options answers, and the pid it was started with. */
export async function localKafkaStatus(opts: LocalKafkaOptions = {}): Promise<LocalKafkaStatus> {
  const o = resolveOptions(opts);
  const brokers = [`127.0.0.1:${o.port}`];
  const [reachable, pid] = await Promise.all([isKafkaReachable(brokers, 3_000), readLivePid(o.dataDir)]);
  return { brokers, reachable, pid };
}

/** True if a Kafka broker at `brokers` answers a DescribeCluster request within `timeoutMs`. */
export async function isKafkaReachable(brokers: string[], timeoutMs = 3_000): Promise<boolean> {
  const admin = probeAdmin(brokers, timeoutMs);
  try {
    await withTimeout(
      (async () => {
        await admin.connect();
        await admin.describeCluster();
      })(),
      timeoutMs,
    );
    return true;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

// ---------------------------------------------------------------------------------------------
// Configuration
// ---------------------------------------------------------------------------------------------

function resolveOptions(opts: LocalKafkaOptions): ResolvedOptions {
  const repoRoot = findRepoRoot();
  const port = opts.port ?? DEFAULT_PORT;
  const cacheDir = path.resolve(opts.cacheDir ?? path.join(repoRoot, '.cache', 'kafka'));
  const dataDir = path.resolve(opts.dataDir ?? path.join(repoRoot, '.cache', 'kafka', `data-${port}`));
  return {
    repoRoot,
    port,
    controllerPort: opts.controllerPort ?? port + 1,
    dataDir,
    cacheDir,
    heapMb: opts.heapMb ?? DEFAULT_HEAP_MB,
    directMemoryMb: opts.directMemoryMb ?? DIRECT_MEMORY_MB,
    logFile: path.resolve(opts.logFile ?? path.join(dataDir, 'kafka.log')),
    startTimeoutMs: opts.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS,
  };
}

function defaultCacheDir(): string {
  return path.join(findRepoRoot(), '.cache', 'kafka');
}

/** The monorepo root: the nearest folder above this file holding nx.json or our package.json. */
function findRepoRoot(start: string = __dirname): string {
  for (let dir = path.resolve(start); ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'nx.json'))) return dir;
    if (isOurPackageJson(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no repository root above ${start}`);
  }
}

function isOurPackageJson(file: string): boolean {
  if (!existsSync(file)) return false;
  try {
    // Synchronous on purpose: options are resolved synchronously, and the file is tiny.
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
    return typeof parsed === 'object' && parsed !== null && (parsed as { name?: unknown }).name === 'omnichannel-profiles';
  } catch {
    return false;
  }
}

/** The pom whose runtime dependencies are the broker, a log4j2 backend and the perf tools. */
function renderPom(): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<!-- Generated by libs/dev-kafka from KAFKA_VERSION: edit the module, not this file. -->
<project xmlns="http://maven.apache.org/POM/4.0.0"
         xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
         xsi:schemaLocation="http://maven.apache.org/POM/4.0.0 https://maven.apache.org/xsd/maven-4.0.0.xsd">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.dev-kafka</groupId>
  <artifactId>kafka-runtime</artifactId>
  <version>${KAFKA_VERSION}</version>
  <packaging>pom</packaging>

  <dependencies>
    <!-- The broker (kafka.Kafka, kafka.tools.StorageTool). -->
    <dependency>
      <groupId>org.apache.kafka</groupId>
      <artifactId>kafka_2.13</artifactId>
      <version>${KAFKA_VERSION}</version>
    </dependency>
    <!-- Perf tools for benchmarks: ProducerPerformance, ConsumerPerformance. -->
    <dependency>
      <groupId>org.apache.kafka</groupId>
      <artifactId>kafka-tools</artifactId>
      <version>${KAFKA_VERSION}</version>
    </dependency>
    <!-- Kafka's pom brings no logging backend; it logs through slf4j 1.7. -->
    <dependency>
      <groupId>org.apache.logging.log4j</groupId>
      <artifactId>log4j-slf4j-impl</artifactId>
      <version>${LOG4J_VERSION}</version>
    </dependency>
    <dependency>
      <groupId>org.apache.logging.log4j</groupId>
      <artifactId>log4j-core</artifactId>
      <version>${LOG4J_VERSION}</version>
    </dependency>
  </dependencies>

  <build>
    <pluginManagement>
      <plugins>
        <plugin>
          <groupId>org.apache.maven.plugins</groupId>
          <artifactId>maven-dependency-plugin</artifactId>
          <version>${DEPENDENCY_PLUGIN_VERSION}</version>
        </plugin>
      </plugins>
    </pluginManagement>
  </build>
</project>
`;
}

/**
 * JVM flags of the broker process, for its memory budget (measured with VmHWM while the Kafka perf
 * tools push 200,000 × 512 B records, acks=all, idempotent; docs/adr/0002):
 * - a fixed heap (-Xms = -Xmx, SerialGC from `jvmCommon`), so the young generation keeps one size
 *   and the heap never grows through full collections ({@link DEFAULT_HEAP_MB});
 * - C1 only (`TieredStopAtLevel=1`): C2 needs up to 30 MiB of compiler arenas and a larger code
 *   cache (about 45 MB more at the peak), and takes about a million records to pay back the CPU it
 *   spends compiling, more than a development, test or benchmark broker ever serves. Past that
 *   point C1 code costs about 15 % more broker CPU per record.
 */
function brokerJvmFlags(heapMb: number, directMemoryMb: number): string[] {
  return [
    `-Xms${heapMb}m`,
    `-Xmx${heapMb}m`,
    // Out of heap, the broker ends (watch() reports it) rather than limping on half broken.
    '-XX:+ExitOnOutOfMemoryError',
    '-XX:TieredStopAtLevel=1',
    // A request is read through a temporary direct buffer of its whole size, cached per network
    // thread: the largest request (MAX_REQUEST_BYTES) times the threads, with room to spare, and
    // no caching of buffers over 256 KiB (a few large requests once pinned the limit: #25).
    `-XX:MaxDirectMemorySize=${directMemoryMb}m`,
    '-Djdk.nio.maxCachedBufferSize=262144',
  ];
}

/**
 * Sizes chosen together (docs/operations.md, "Message sizes"): the apps send at most 512 KiB per
 * request, or one record of at most 1,000,000 bytes (MessagePublisher); the broker takes records
 * up to its default `message.max.bytes` (1 MiB) and requests up to 2 MiB instead of 100 MiB.
 */
const MAX_REQUEST_BYTES = 2 * 1024 * 1024;
const DIRECT_MEMORY_MB = 64;

/** server.properties for one combined broker+controller node on loopback. */
function renderServerProperties(port: number, controllerPort: number, logDir: string): string {
  const props: Array<[string, string | number | boolean]> = [
    // KRaft: this node is the whole cluster, with a static single-voter quorum.
    ['process.roles', 'broker,controller'],
    ['node.id', 1],
    ['controller.quorum.voters', `1@127.0.0.1:${controllerPort}`],
    ['listeners', `PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`],
    ['advertised.listeners', `PLAINTEXT://127.0.0.1:${port}`],
    ['inter.broker.listener.name', 'PLAINTEXT'],
    ['controller.listener.names', 'CONTROLLER'],
    ['listener.security.protocol.map', 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT'],
    ['log.dirs', logDir],
    // Internal topics must fit on one broker, or groups/transactions never get a coordinator.
    ['offsets.topic.replication.factor', 1],
    ['offsets.topic.num.partitions', 1],
    ['transaction.state.log.replication.factor', 1],
    ['transaction.state.log.min.isr', 1],
    ['transaction.state.log.num.partitions', 1],
    ['share.coordinator.state.topic.replication.factor', 1],
    ['share.coordinator.state.topic.min.isr', 1],
    ['default.replication.factor', 1],
    ['min.insync.replicas', 1],
    // Fast group joins (the default waits 3 s for more members) and test-friendly topics.
    ['group.initial.rebalance.delay.ms', 0],
    ['num.partitions', 3],
    ['auto.create.topics.enable', false],
    // On restart the controller keeps the previous broker registration alive for a whole session
    // timeout (default 9 s) before it accepts the new incarnation: a shorter session makes warm
    // restarts quick, and loopback heartbeats every second keep it far from expiring by accident
    // (each one is work for three threads of an otherwise idle broker).
    ['broker.heartbeat.interval.ms', 1000],
    ['broker.session.timeout.ms', 3000],
    // The active controller appends a no-op record every 500 ms by default (a raft round, and a
    // replay by the broker): the largest part of an idle broker's CPU. One node has no one to show liveness to.
    ['metadata.max.idle.interval.ms', 10_000],
    ['message.max.bytes', 1_048_588],
    ['socket.request.max.bytes', MAX_REQUEST_BYTES],
    // Two cores: threads beyond them only add idle wake-ups (each polls its queue several times a second).
    ['num.network.threads', 2],
    ['num.io.threads', 2],
    // Kafka 4.0 rejects timestamps over 1 h in the future; tests with fake clocks need more.
    ['log.message.timestamp.after.max.ms', '9223372036854775807'],
    ['log.cleaner.dedupe.buffer.size', CLEANER_DEDUPE_BUFFER_BYTES],
  ];
  return ['# Generated by libs/dev-kafka on every start: edit the module, not this file.', ...props.map(([k, v]) => `${k}=${v}`), ''].join('\n');
}

// ---------------------------------------------------------------------------------------------
// Processes
// ---------------------------------------------------------------------------------------------

/** The cluster id of a data dir: generated on first use and kept, so a re-format is a no-op. */
async function ensureClusterId(dataDir: string, jvmArgs: string[]): Promise<string> {
  const file = path.join(dataDir, 'cluster.id');
  const existing = (await readTextIfExists(file))?.trim();
  if (existing) return existing;
  const output = await runToCompletion('java', [...jvmArgs, 'kafka.tools.StorageTool', 'random-uuid']);
  const id = output.trim().split(/\s+/).pop();
  if (!id || !/^[A-Za-z0-9_-]{22}$/.test(id)) throw new Error(`unexpected cluster id from StorageTool: ${output}`);
  await writeFile(file, `${id}\n`);
  return id;
}

/** How often `watch` reads what the broker logged since. */
const LOG_SCAN_INTERVAL_MS = 1_000;
const LOG_SCAN_MAX_BYTES = 1024 * 1024;

/** Reports, once, an OutOfMemoryError in the broker's log (read as it grows), or else its exit. */
function watchBroker(child: ChildProcess, logFile: string, stopping: () => boolean, listener: (trouble: BrokerTrouble) => void): () => void {
  let watching = true;
  let offset = 0;
  let partial = '';
  const end = () => {
    watching = false;
    clearInterval(timer);
    child.off('exit', onExit);
  };
  const report = (trouble: BrokerTrouble) => {
    if (!watching || stopping()) return;
    end();
    listener(trouble);
  };
  // An out-of-memory error the broker logged before it ended (-XX:+ExitOnOutOfMemoryError) is what is reported.
  const onExit = (code: number | null, signal: NodeJS.Signals | null) =>
    void scan()
      .catch(() => undefined)
      .finally(() => report({ kind: 'exited', code, signal }));
  const scan = async () => {
    const file = await open(logFile, 'r').catch(() => undefined);
    if (!file) return;
    try {
      const { size } = await file.stat();
      if (size < offset) offset = 0; // a new file: the broker was started again
      if (size === offset) return;
      const chunk = Buffer.alloc(Math.min(size - offset, LOG_SCAN_MAX_BYTES));
      const { bytesRead } = await file.read(chunk, 0, chunk.length, offset);
      offset += bytesRead;
      const lines = (partial + chunk.subarray(0, bytesRead).toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      const line = lines.find((candidate) => candidate.includes('OutOfMemoryError'));
      if (line !== undefined) report({ kind: 'out-of-memory', line });
    } finally {
      await file.close();
    }
  };
  child.once('exit', onExit);
  const timer = setInterval(() => void scan().catch(() => undefined), LOG_SCAN_INTERVAL_MS);
  timer.unref();
  if (child.exitCode !== null || child.signalCode !== null) onExit(child.exitCode, child.signalCode);
  return end;
}

/**
 * Spawns the broker in its own process group, with no stdin and its output in `logFile`, and
 * unreferenced so the calling process (e.g. the CLI) may exit while the broker keeps running —
 * unless `stopWithParent`: then `setpriv` (which execs java, same pid) asks the kernel for a SIGTERM
 * when this process ends.
 */
async function spawnBroker(javaArgs: string[], cwd: string, logFile: string, stopWithParent: boolean): Promise<ChildProcess> {
  const log = await open(logFile, 'w'); // one run per file: the tail on failure is this run's
  try {
    const [command, args] = stopWithParent && hasSetpriv() ? ['setpriv', ['--pdeathsig', 'SIGTERM', 'java', ...javaArgs]] : ['java', javaArgs];
    const child = spawn(command, args, { cwd, detached: true, stdio: ['ignore', log.fd, log.fd] });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    child.unref();
    return child;
  } finally {
    await log.close(); // the child holds its own copy of the descriptor
  }
}

function hasSetpriv(): boolean {
  const result = spawnSync('setpriv', ['--version'], { stdio: 'ignore' });
  return result.error === undefined && result.status === 0;
}

/** Runs a command to completion; resolves with its stdout, rejects with the output's tail. */
function runToCompletion(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', (err) => reject(new Error(`cannot run ${command}: ${err.message}`)));
    child.once('close', (code, signal) => {
      if (code === 0) return resolve(stdout);
      const tail = lastLines(`${stdout}\n${stderr}`, LOG_TAIL_LINES);
      const cmd = [command, ...args.filter((a) => !a.includes(path.sep + '*'))].join(' ');
      reject(new Error(`${cmd} failed (${signal ?? `exit ${code}`}):\n${tail}`));
    });
  });
}

/**
 * SIGTERM (a clean, controlled shutdown), then SIGKILL after {@link STOP_GRACE_MS}. With the
 * ChildProcess at hand its exit event is awaited, since our own exited child stays a zombie (and
 * looks alive to kill(0)) until Node reaps it.
 */
async function terminate(pid: number, child?: ChildProcess): Promise<void> {
  const exited = (): boolean =>
    child ? child.exitCode !== null || child.signalCode !== null : !isProcessAlive(pid);
  if (exited()) return;
  signal(pid, 'SIGTERM');
  if (await pollUntil(exited, Date.now() + STOP_GRACE_MS)) return;
  signal(pid, 'SIGKILL');
  await pollUntil(exited, Date.now() + 5_000);
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // Already gone.
  }
}

/** Alive and not a zombie (on Linux the /proc state tells; elsewhere kill(0) must do). */
function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

/** The pid in the data dir's pid file if that process is alive and is a Kafka broker. */
async function readLivePid(dataDir: string): Promise<number | undefined> {
  const text = await readTextIfExists(path.join(dataDir, 'kafka.pid'));
  const pid = Number.parseInt(text ?? '', 10);
  if (!Number.isInteger(pid) || pid <= 0 || !isProcessAlive(pid)) return undefined;
  // Guard against pid reuse: on Linux, check the command line names the broker's main class.
  const cmdline = await readTextIfExists(`/proc/${pid}/cmdline`);
  if (cmdline !== undefined && !cmdline.split('\0').includes('kafka.Kafka')) return undefined;
  return pid;
}

async function removePidFileIfOwned(pidFile: string, pid: number): Promise<void> {
  if ((await readTextIfExists(pidFile))?.trim() === String(pid)) await rm(pidFile, { force: true });
}

// ---------------------------------------------------------------------------------------------
// Readiness probes
// ---------------------------------------------------------------------------------------------

/** A quiet, non-retrying admin client for probes. */
function probeAdmin(brokers: string[], timeoutMs: number): Admin {
  return new Kafka({
    clientId: 'dev-kafka-probe',
    brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: Math.min(timeoutMs, 2_000),
    requestTimeout: timeoutMs,
    retry: { retries: 0 },
  }).admin();
}

/**
 * Polls until the broker serves metadata and can create and delete a topic (which needs the
 * controller quorum and a leader), or until the deadline. `hasExited` lets a crashed broker fail
 * the wait at once instead of at the deadline.
 */
async function waitUntilReady(brokers: string[], deadline: number, hasExited: () => boolean): Promise<void> {
  let lastError = 'no answer yet';
  while (Date.now() < deadline) {
    if (hasExited()) throw new Error(`the Kafka broker process exited during startup (${lastError})`);
    const admin = probeAdmin(brokers, 5_000);
    try {
      await admin.connect();
      await admin.describeCluster();
      const topic = `__dev_kafka_probe_${process.pid}_${Date.now()}`;
      await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 1 }], waitForLeaders: true });
      await admin.deleteTopics({ topics: [topic] });
      return;
    } catch (err) {
      lastError = errorMessage(err);
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
    await delay(500);
  }
  throw new Error(`Kafka on ${brokers.join(',')} not ready before the deadline (last error: ${lastError})`);
}

/** Whether something accepts TCP connections on 127.0.0.1:port. */
function isPortOpen(port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const done = (open: boolean): void => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

// ---------------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------------

async function pollUntil(condition: () => boolean, deadline: number): Promise<boolean> {
  while (!condition()) {
    if (Date.now() >= deadline) return false;
    await delay(100);
  }
  return true;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function readTextIfExists(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
}

async function tailFile(file: string, lines: number): Promise<string> {
  return lastLines((await readTextIfExists(file)) ?? '(no log written)', lines);
}

function lastLines(text: string, lines: number): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
