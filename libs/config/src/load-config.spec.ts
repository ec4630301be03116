// The apps load reflect-metadata (through @omni/runtime / @nestjs/common) before they read their
// configuration; conversion of numbers depends on the design:type metadata it records.
import 'reflect-metadata';
import { IsInt, IsString, Max, Min, MinLength } from 'class-validator';
import { CommonConfig, DEFAULT_DATABASE_URL, DEFAULT_KAFKA_BROKERS } from './common.config';
import { ConfigError, loadConfig } from './load-config';

class SmallAppConfig extends CommonConfig {
  @IsInt()
  @Min(0)
  @Max(65535)
  override PORT: number = 3000;

  @IsString()
  @MinLength(16)
  SIGNING_KEY!: string;
}

const REQUIRED = { SIGNING_KEY: 'a-signing-key-of-32-characters!!' };

/** Loads the config and returns the ConfigError it threw; fails the test if it loads or throws something else. */
function configError(env: NodeJS.ProcessEnv): ConfigError {
  let thrown: unknown;
  try {
    loadConfig(SmallAppConfig, env);
  } catch (error) {
    thrown = error;
  }
  if (!(thrown instanceof ConfigError)) {
    throw new Error(`expected a ConfigError, got ${thrown === undefined ? 'a loaded config' : String(thrown)}`);
  }
  return thrown;
}

describe('loadConfig', () => {
  it('turns a number given as a string (PORT=3101) into the number 3101', () => {
    const config = loadConfig(SmallAppConfig, { ...REQUIRED, PORT: '3101' });

    expect(config.PORT).toBe(3101);
    expect(typeof config.PORT).toBe('number');
  });

  it('turns a number declared on CommonConfig (DATABASE_POOL_SIZE=20) into a number too', () => {
    const config = loadConfig(SmallAppConfig, { ...REQUIRED, DATABASE_POOL_SIZE: '20' });

    expect(config.DATABASE_POOL_SIZE).toBe(20);
  });

  it('returns an instance of the schema with the given strings kept as they are', () => {
    const config = loadConfig(SmallAppConfig, {
      ...REQUIRED,
      DATABASE_URL: 'postgresql://user:pw@db:5432/omni',
      KAFKA_BROKERS: 'kafka-1:9092,kafka-2:9093',
      KAFKA_TOPIC_PREFIX: 'test-run.1',
      LOG_LEVEL: 'debug',
      HOST: '0.0.0.0',
    });

    expect(config).toBeInstanceOf(SmallAppConfig);
    expect(config).toMatchObject({
      SIGNING_KEY: REQUIRED.SIGNING_KEY,
      DATABASE_URL: 'postgresql://user:pw@db:5432/omni',
      KAFKA_BROKERS: 'kafka-1:9092,kafka-2:9093',
      KAFKA_TOPIC_PREFIX: 'test-run.1',
      LOG_LEVEL: 'debug',
      HOST: '0.0.0.0',
    });
  });

  it('applies every default when the variables are unset', () => {
    const config = loadConfig(SmallAppConfig, { ...REQUIRED });

    expect(config).toMatchObject({
      PORT: 3000,
      DATABASE_URL: DEFAULT_DATABASE_URL,
      KAFKA_BROKERS: DEFAULT_KAFKA_BROKERS,
      KAFKA_TOPIC_PREFIX: '',
      DATABASE_POOL_SIZE: 10,
      LOG_LEVEL: 'info',
      HOST: '127.0.0.1',
    });
  });

  it('treats an empty variable as unset, so its default applies', () => {
    const config = loadConfig(SmallAppConfig, {
      ...REQUIRED,
      PORT: '',
      DATABASE_URL: '',
      KAFKA_BROKERS: '',
      DATABASE_POOL_SIZE: '',
      LOG_LEVEL: '',
    });

    expect(config).toMatchObject({
      PORT: 3000,
      DATABASE_URL: DEFAULT_DATABASE_URL,
      KAFKA_BROKERS: DEFAULT_KAFKA_BROKERS,
      DATABASE_POOL_SIZE: 10,
      LOG_LEVEL: 'info',
    });
  });

  it('ignores variables the schema does not declare', () => {
    const config = loadConfig(SmallAppConfig, { ...REQUIRED, PATH: '/usr/bin', HOME: '/root', npm_config_x: '1' });
    expect(config.PORT).toBe(3000);
  });

  it('reads process.env when no environment is given', () => {
    const saved = { SIGNING_KEY: process.env.SIGNING_KEY, PORT: process.env.PORT };
    process.env.SIGNING_KEY = REQUIRED.SIGNING_KEY;
    process.env.PORT = '3199';
    try {
      expect(loadConfig(SmallAppConfig).PORT).toBe(3199);
    } finally {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '3101.5'],
    ['PORT', '70000'],
    ['KAFKA_BROKERS', 'not a list'],
    ['KAFKA_BROKERS', 'kafka:9092,'],
    ['DATABASE_URL', 'mysql://x'],
    ['DATABASE_POOL_SIZE', '0'],
    ['LOG_LEVEL', 'loud'],
    ['KAFKA_TOPIC_PREFIX', 'has space'],
  ])('refuses %s=%j with a ConfigError whose problems name the variable', (name, value) => {
    const error = configError({ ...REQUIRED, [name]: value });

    expect(error.name).toBe('ConfigError');
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toMatch(new RegExp(`^${name}: `));
    expect(error.message).toContain(name);
  });

  it('refuses a missing required variable, naming it', () => {
    const error = configError({});
    expect(error.problems).toEqual([expect.stringMatching(/^SIGNING_KEY: /)]);
  });

  it('names every wrong variable at once, not just the first', () => {
    const error = configError({ PORT: 'abc', KAFKA_BROKERS: 'not a list', DATABASE_URL: 'mysql://x' });

    const named = error.problems.map((problem) => problem.slice(0, problem.indexOf(':')));
    expect(named.sort()).toEqual(['DATABASE_URL', 'KAFKA_BROKERS', 'PORT', 'SIGNING_KEY']);
  });
});
