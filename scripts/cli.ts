/**
 * `npm run cli -- <command>`: operations on a running platform, through the gateway's admin API.
 *
 *   app create --name Demo        create an application (prints its secrets, once)
 *   app list                      list applications
 *   app get <key>                 one application
 *   app rename <key> --name New   rename
 *   app rotate <key> --secret master|application
 *   app delete <key>
 *   replay [--restart] [--keep-old] [--allow-truncated-history] [--json]
 *                                 rebuild the read model from the event topics (DATABASE_URL, KAFKA_BROKERS)
 *   dlq list [--topic <t>]        dead-letter topics: count, reasons, redriven (KAFKA_BROKERS, KAFKA_TOPIC_PREFIX)
 *   dlq show <topic> <partition> <offset>
 *   dlq redrive <topic> (--partition <p> --offset <o> | --all) [--dry-run] [--force]
 *
 * The gateway is GATEWAY_URL (default http://127.0.0.1:3000); the admin secret is ADMIN_SECRET, or
 * the one `npm start` generated in .cache/dev-secrets.json. A call to the gateway that gets no answer
 * within GATEWAY_TIMEOUT_MS (`--timeout`, default 30000) fails. `--json` prints machine-readable output.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Command, Option } from 'commander';
import { fetchText } from './lib/http';

interface Globals {
  url: string;
  timeout: string;
  json: boolean;
}

const program = new Command()
  .name('npm run cli --')
  .description('Operate the omnichannel profile platform')
  .addOption(new Option('--url <url>', 'gateway base URL').env('GATEWAY_URL').default('http://127.0.0.1:3000'))
  .addOption(new Option('--timeout <ms>', 'how long a call to the gateway may take').env('GATEWAY_TIMEOUT_MS').default('30000'))
  .option('--json', 'print JSON for scripts', false)
  .showHelpAfterError();

const app = program.command('app').description('applications and their credentials');

app
  .command('create')
  .requiredOption('--name <name>', 'application name')
  .action(async (options: { name: string }) => {
    const { application } = await admin('POST', '/admin/applications', { name: options.name });
    print(application, (a) =>
      [
        `application "${a.name}" created`,
        `  key:                ${a.applicationKey}`,
        `  application secret: ${a.applicationSecret}   (SDK calls)`,
        `  master secret:      ${a.masterSecret}   (backend calls)`,
        'The secrets are shown this once: keep them now.',
      ].join('\n'),
    );
  });

app.command('list').option('--skip <n>', 'skip', '0').option('--limit <n>', 'at most (1000)', '100').action(async (options: { skip: string; limit: string }) => {
  const listing = await admin('GET', `/admin/applications?skip=${Number(options.skip)}&limit=${Number(options.limit)}`);
  print(listing, (l) =>
    [`${l.total} application(s)`, ...l.applications.map((a: Record<string, string>) => `  ${a.applicationKey}  ${a.name}  (created ${a.createdAt})`)].join('\n'),
  );
});

app.command('get <key>').action(async (key: string) => {
  const { application } = await admin('GET', `/admin/applications/${encodeURIComponent(key)}`);
  print(application, (a) => `${a.applicationKey}  ${a.name}\n  settings: ${JSON.stringify(a.settings)}`);
});

app
  .command('rename <key>')
  .requiredOption('--name <name>', 'new name')
  .action(async (key: string, options: { name: string }) => {
    const { application } = await admin('PUT', `/admin/applications/${encodeURIComponent(key)}`, { name: options.name });
    print(application, (a) => `renamed ${a.applicationKey} to "${a.name}"`);
  });

app
  .command('rotate <key>')
  .addOption(new Option('--secret <kind>', 'which secret').choices(['master', 'application']).makeOptionMandatory())
  .action(async (key: string, options: { secret: 'master' | 'application' }) => {
    const rotated = await admin('POST', `/admin/applications/${encodeURIComponent(key)}/rotate`, { secret: options.secret });
    const secret = rotated.masterSecret ?? rotated.applicationSecret;
    print(rotated, () => `new ${options.secret} secret of ${key}: ${secret}\nThe old one no longer works.`);
  });

app.command('delete <key>').action(async (key: string) => {
  await admin('DELETE', `/admin/applications/${encodeURIComponent(key)}`);
  print({ deleted: key }, () => `deleted ${key}: its credentials no longer work`);
});

program
  .command('replay')
  .description('rebuild the read model from the event topics and swap it in (resumes an interrupted run); `replay --help` lists its flags')
  .argument('[flags...]', "the replay's own flags (--restart, --keep-old, --allow-truncated-history, --json)")
  // The compiled replay owns its flags (apps/projection-service/src/replay/main.ts): they pass through.
  .allowUnknownOption()
  .helpOption(false)
  .action(async (flags: string[]) => {
    const { runReplay } = await import('./replay');
    process.exitCode = await runReplay(globals().json && !flags.includes('--json') ? [...flags, '--json'] : flags);
  });

const dlq = program
  .command('dlq')
  .description('dead-letter topics: inspect and redrive (KAFKA_BROKERS, KAFKA_TOPIC_PREFIX)');

dlq
  .command('list')
  .description('per dead-letter topic: how many dead letters, their reasons, how many were redriven')
  .option('--topic <topic>', 'only this dead-letter topic (or the topic it serves)')
  .action(async (options: { topic?: string }) => {
    const { DeadLetterTool, formatList, kafkaSettingsFromEnv } = await import('./lib/dlq');
    const summaries = await new DeadLetterTool(kafkaSettingsFromEnv()).list(options.topic);
    print({ topics: summaries }, () => formatList(summaries));
  });

dlq
  .command('show <topic> <partition> <offset>')
  .description('one dead letter: reason, detail, where it came from, its headers and payload')
  .action(async (topic: string, partition: string, offset: string) => {
    const { DeadLetterTool, formatView, kafkaSettingsFromEnv } = await import('./lib/dlq');
    const view = await new DeadLetterTool(kafkaSettingsFromEnv()).show(topic, integer(partition, 'partition'), offsetOf(offset));
    print(view, () => formatView(view));
  });

dlq
  .command('redrive <topic>')
  .description('re-publish dead letters to the topic they came from (same key and headers); each once unless --force')
  .option('--partition <p>', 'partition of the dead letter')
  .option('--offset <o>', 'offset of the dead letter')
  .option('--all', 'every dead letter of the topic not redriven yet', false)
  .option('--dry-run', 'show what would be redriven, send nothing', false)
  .option('--force', 'send again what was redriven before', false)
  .action(async (topic: string, options: { partition?: string; offset?: string; all: boolean; dryRun: boolean; force: boolean }) => {
    if (options.all === (options.partition !== undefined || options.offset !== undefined)) {
      throw new Error('give either --partition and --offset, or --all');
    }
    const { DeadLetterTool, formatRedrive, kafkaSettingsFromEnv } = await import('./lib/dlq');
    const result = await new DeadLetterTool(kafkaSettingsFromEnv()).redrive(topic, {
      all: options.all,
      ...(options.partition !== undefined ? { partition: integer(options.partition, 'partition') } : {}),
      ...(options.offset !== undefined ? { offset: offsetOf(options.offset) } : {}),
      dryRun: options.dryRun,
      force: options.force,
    });
    print(result, () => formatRedrive(result));
  });

function integer(value: string, name: string): number {
  if (!/^\d+$/.test(value)) throw new Error(`${name} must be a whole number, not "${value}"`);
  return Number(value);
}

/** Kafka offsets are 64-bit: kept as (normalised) decimal strings. */
function offsetOf(value: string): string {
  if (!/^\d+$/.test(value)) throw new Error(`offset must be a whole number, not "${value}"`);
  return BigInt(value).toString();
}

function globals(): Globals {
  return program.opts<Globals>();
}

function adminSecret(): string {
  if (process.env.ADMIN_SECRET) return process.env.ADMIN_SECRET;
  const file = path.resolve(__dirname, '..', '.cache', 'dev-secrets.json');
  if (existsSync(file)) return (JSON.parse(readFileSync(file, 'utf8')) as { ADMIN_SECRET: string }).ADMIN_SECRET;
  throw new Error('set ADMIN_SECRET (or run `npm start` once, which generates one)');
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON answers of the admin API
async function admin(method: string, route: string, body?: unknown): Promise<any> {
  const response = await fetchText(
    `${globals().url}${route}`,
    {
      method,
      headers: {
        authorization: `Basic ${Buffer.from(`admin:${adminSecret()}`).toString('base64')}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    },
    integer(globals().timeout, 'timeout'),
  );
  const { text } = response;
  let parsed: Record<string, unknown> = {};
  try {
    parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    if (response.ok) throw new Error(`the gateway answered ${response.status} with a body that is not JSON`);
  }
  if (!response.ok) throw new GatewayError(response.status, parsed.code, parsed.message ?? text, parsed.fields);
  return parsed;
}

/** The gateway refused a call: its status and error body (code, message, the fields of a 400). */
class GatewayError extends Error {
  readonly code?: string;
  /** The gateway's own message (`message` is the line people read: status, code and this). */
  readonly detail: string;
  readonly fields?: unknown;

  constructor(
    readonly status: number,
    code: unknown,
    message: unknown,
    fields: unknown,
  ) {
    super(`${status} ${String(code ?? '')}: ${String(message)}`);
    this.code = typeof code === 'string' ? code : undefined;
    this.detail = String(message);
    this.fields = fields ?? undefined;
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON answers of the admin API
function print(value: any, human: (value: any) => string): void {
  console.log(globals().json ? JSON.stringify(value, null, 2) : human(value));
}

program.parseAsync().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  if (program.opts<Globals>().json) {
    // For scripts: one JSON object on stderr, `{"error": {status?, code?, message, fields?}}`; exit 1 all the same.
    const detail =
      error instanceof GatewayError ? { status: error.status, code: error.code, message: error.detail, fields: error.fields } : { message };
    console.error(JSON.stringify({ error: detail }));
  } else {
    console.error(`error: ${message}`);
  }
  process.exit(1);
});
