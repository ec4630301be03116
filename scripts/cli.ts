/**
 * `npm run cli -- <command>`: operations on a running platform, through the gateway's admin API.
 *
 *   app create --name Demo        create an application (prints its secrets, once)
 *   app list                      list applications
 *   app get <key>                 one application
 *   app rename <key> --name New   rename
 *   app rotate <key> --secret master|application
 *   app delete <key>
 *   replay [--restart] [--keep-old]  rebuild the read model from the event topics (DATABASE_URL, KAFKA_BROKERS)
 *
 * The gateway is GATEWAY_URL (default http://127.0.0.1:3000); the admin secret is ADMIN_SECRET, or
 * the one `npm start` generated in .cache/dev-secrets.json. `--json` prints machine-readable output.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Command, Option } from 'commander';

interface Globals {
  url: string;
  json: boolean;
}

const program = new Command()
  .name('npm run cli --')
  .description('Operate the omnichannel profile platform')
  .addOption(new Option('--url <url>', 'gateway base URL').env('GATEWAY_URL').default('http://127.0.0.1:3000'))
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
  .description('rebuild the read model from the event topics and swap it in (resumes an interrupted run)')
  .option('--restart', 'drop an interrupted rebuild and start over', false)
  .option('--keep-old', 'keep the replaced read model as projection_retired_<time>', false)
  .action(async (options: { restart: boolean; keepOld: boolean }) => {
    const { runReplay } = await import('./replay');
    await runReplay(options);
  });

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
  const response = await fetch(`${globals().url}${route}`, {
    method,
    headers: {
      authorization: `Basic ${Buffer.from(`admin:${adminSecret()}`).toString('base64')}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  const parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  if (!response.ok) throw new Error(`${response.status} ${String(parsed.code ?? '')}: ${String(parsed.message ?? text)}`);
  return parsed;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON answers of the admin API
function print(value: any, human: (value: any) => string): void {
  console.log(globals().json ? JSON.stringify(value, null, 2) : human(value));
}

program.parseAsync().catch((error: unknown) => {
  console.error(`error: ${(error as Error).message}`);
  process.exit(1);
});
