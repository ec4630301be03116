/**
 * docker-compose.yml runs the whole platform: these tests keep it in step with the repository
 * (the apps under apps/, the variables their configs require, the Kafka version of dev-kafka).
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { KAFKA_VERSION } from '@omni/dev-kafka';
import { APP_NODE_FLAGS, appEntryPoint } from '@omni/runtime';

const ROOT = path.resolve(__dirname, '../../..');

type Environment = Record<string, string | number | boolean | null> | string[];

interface ComposeService {
  image?: string;
  build?: unknown;
  command?: unknown;
  environment?: Environment;
  depends_on?: string[] | Record<string, { condition?: string }>;
  healthcheck?: { test?: unknown; disable?: boolean };
}

interface ComposeFile {
  services: Record<string, ComposeService>;
}

const compose = parse(readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as ComposeFile;
const services = compose.services;

const appNames = readdirSync(path.join(ROOT, 'apps'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();

/** A service's environment as a map (compose accepts a map or a list of `KEY=value`). */
function environmentOf(service: ComposeService): Map<string, string> {
  const env = service.environment ?? {};
  if (Array.isArray(env)) {
    return new Map(
      env.map((entry) => {
        const at = entry.indexOf('=');
        return at < 0 ? [entry, ''] : [entry.slice(0, at), entry.slice(at + 1)];
      }),
    );
  }
  return new Map(Object.entries(env).map(([key, value]) => [key, value === null ? '' : String(value)]));
}

/** Names declared as required (`NAME!: type`) in a config source file. */
function requiredIn(file: string): string[] {
  if (!existsSync(file)) return [];
  return [...readFileSync(file, 'utf8').matchAll(/^\s*([A-Z][A-Z0-9_]*)!:/gm)].map((match) => match[1]);
}

/** Variables an app refuses to start without: its own config's plus the common config's. */
function requiredVariables(app: string): string[] {
  return [
    ...requiredIn(path.join(ROOT, 'libs/config/src/common.config.ts')),
    ...requiredIn(path.join(ROOT, 'apps', app, 'src/config.ts')),
  ];
}

/** The condition each dependency waits for (a plain list means "started"). */
function dependencies(service: ComposeService): Record<string, string | undefined> {
  const deps = service.depends_on ?? {};
  if (Array.isArray(deps)) return Object.fromEntries(deps.map((name) => [name, 'service_started']));
  return Object.fromEntries(Object.entries(deps).map(([name, dep]) => [name, dep?.condition ?? 'service_started']));
}

const appImage = services.setup?.image;

/** The Dockerfile's HEALTHCHECK command (of the last stage, the one that runs), if any. */
const dockerfileHealthcheck = (() => {
  const dockerfile = readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8').replace(/\\\n/g, ' ');
  const stages = dockerfile.split(/^FROM /m);
  const match = /^HEALTHCHECK\s+(.*)$/m.exec(stages[stages.length - 1]);
  return match && !/^NONE\b/.test(match[1]) ? match[1] : undefined;
})();

/** The health check a service runs: its own in compose, else (an app's) the image's, unless compose disables it. */
function healthcheckOf(service: ComposeService): string | undefined {
  if (service.healthcheck?.disable) return undefined;
  if (service.healthcheck?.test !== undefined) return JSON.stringify(service.healthcheck.test);
  return service.image === appImage ? dockerfileHealthcheck : undefined;
}

const LOOPBACK = /(^|[/@,])(localhost|127\.\d+\.\d+\.\d+|\[?::1\]?)(:|$|\/)/;

describe('docker-compose.yml', () => {
  it('compose runs every app under apps/', () => {
    expect(appNames.length).toBeGreaterThan(0);
    expect(appImage).toBeDefined();
    for (const app of appNames) {
      const service = services[app];
      expect({ app, defined: service !== undefined }).toEqual({ app, defined: true });
      expect({ app, APP: environmentOf(service).get('APP') }).toEqual({ app, APP: app });
      expect({ app, image: service.image }).toEqual({ app, image: appImage });
      // The image's CMD starts `apps/${APP}`: a command of its own would run something else.
      expect({ app, command: service.command }).toEqual({ app, command: undefined });
    }
  });

  it("sets every variable an app's config requires, required ones taken from the environment with ${VAR:?}", () => {
    // The scan must see something, or this test would pass vacuously.
    expect(requiredVariables('gateway')).toEqual(expect.arrayContaining(['ADMIN_SECRET', 'SECRET_HASH_KEY']));
    for (const app of appNames) {
      const env = environmentOf(services[app] ?? {});
      for (const name of requiredVariables(app)) {
        const value = env.get(name) ?? '';
        expect({ app, name, set: value !== '' }).toEqual({ app, name, set: true });
        // Interpolated from the host: compose must refuse to start without it, never default to empty.
        if (value.includes('${')) {
          expect({ app, name, value }).toEqual({ app, name, value: expect.stringMatching(/^\$\{[A-Z0-9_]+:\?[^}]*\}$/) });
        }
      }
    }
  });

  it('points every app at the containers: DATABASE_URL, KAFKA_BROKERS and HOST (whose defaults are loopback) and PORT', () => {
    for (const app of appNames) {
      const env = environmentOf(services[app] ?? {});
      for (const name of ['DATABASE_URL', 'KAFKA_BROKERS', 'HOST', 'PORT']) {
        expect({ app, name, set: (env.get(name) ?? '') !== '' }).toEqual({ app, name, set: true });
      }
      expect({ app, DATABASE_URL: env.get('DATABASE_URL') }).toEqual({ app, DATABASE_URL: expect.stringMatching(/^postgres(ql)?:\/\/[^@]+@postgres:5432\//) });
      for (const name of ['DATABASE_URL', 'KAFKA_BROKERS']) {
        expect({ app, name, loopback: LOOPBACK.test(env.get(name) ?? '') }).toEqual({ app, name, loopback: false });
      }
      expect({ app, KAFKA_BROKERS: env.get('KAFKA_BROKERS') }).toEqual({ app, KAFKA_BROKERS: expect.stringMatching(/(^|,)kafka:\d+($|,)/) });
      // Bound to loopback, an app is unreachable from the other containers (and from its published port).
      expect({ app, HOST: env.get('HOST') }).toEqual({ app, HOST: expect.stringMatching(/^(0\.0\.0\.0|::)$/) });
    }
  });

  it('health-checks every app, Kafka and PostgreSQL (in compose, or the image\'s HEALTHCHECK)', () => {
    // The image's check asks the app's readiness on its PORT (which the previous test requires).
    expect(dockerfileHealthcheck).toMatch(/\/health\/ready/);
    expect(dockerfileHealthcheck).toMatch(/process\.env\.PORT|\$\{?PORT/);
    for (const name of [...appNames, 'kafka', 'postgres']) {
      const service = services[name];
      expect({ name, healthcheck: service && healthcheckOf(service) !== undefined }).toEqual({ name, healthcheck: true });
    }
  });

  it('starts every service of the app image only after the setup has completed', () => {
    const users = Object.entries(services).filter(([name, service]) => name !== 'setup' && service.image === appImage);
    expect(users.map(([name]) => name).sort()).toEqual(expect.arrayContaining(appNames));
    for (const [name, service] of users) {
      expect({ name, setup: dependencies(service).setup }).toEqual({ name, setup: 'service_completed_successfully' });
    }
  });

  it('runs the setup (migrations, then topics) once Kafka and PostgreSQL are healthy', () => {
    const setup = services.setup;
    expect(String(setup.command)).toMatch(/node dist\/scripts\/db-migrate\.js && node dist\/scripts\/kafka-topics\.js/);
    expect(dependencies(setup)).toEqual(
      expect.objectContaining({ kafka: 'service_healthy', postgres: 'service_healthy' }),
    );
  });

  it('runs the official Apache Kafka image of the version dev-kafka runs', () => {
    expect(services.kafka?.image).toBe(`apache/kafka:${KAFKA_VERSION}`);
  });
});

describe('Dockerfile', () => {
  const dockerfile = readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8').replace(/\\\n/g, ' ');
  const stages = dockerfile.split(/^FROM /m).slice(1);
  const runtime = stages[stages.length - 1];

  it('builds on the Node.js major the project requires', () => {
    const required = /(\d+)/.exec(JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).engines.node)![1];
    for (const stage of stages) expect(stage.split('\n')[0]).toMatch(new RegExp(`^node:${required}-`));
  });

  it('compiles the apps and the setup scripts the compose file runs, then drops the dev dependencies', () => {
    const build = stages[0];
    expect(build).toMatch(/nx run-many -t build --projects=tag:type:app/);
    for (const script of String(services.setup.command).match(/dist\/scripts\/[a-z-]+\.js/g) ?? []) {
      expect(build).toContain(script.replace(/^dist\//, '').replace(/\.js$/, '.ts'));
    }
    expect(build).toMatch(/npm prune --omit=dev/);
  });

  it('runs the compiled app with production dependencies only: no sources, tests or compiler in the image', () => {
    const copies = [...runtime.matchAll(/^COPY (.*)$/gm)].map((match) => match[1].trim());
    expect(copies).toEqual(['--from=build /app/node_modules ./node_modules', '--from=build /app/dist ./dist', 'package.json ./']);
    expect(runtime).toContain(`node ${APP_NODE_FLAGS.join(' ')} ${appEntryPoint('${APP}')}`);
  });
});
