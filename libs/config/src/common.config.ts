import 'reflect-metadata';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Default database: the local PostgreSQL server, database `omni_profiles`. */
export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/omni_profiles';
export const DEFAULT_KAFKA_BROKERS = '127.0.0.1:9092';

/** Variables every app reads. Each app's own schema extends this one. */
export class CommonConfig {
  /** PostgreSQL connection string. Sensitive: may contain a password. */
  @IsString()
  @Matches(/^postgres(ql)?:\/\//, { message: 'must be a postgres:// URL' })
  DATABASE_URL: string = DEFAULT_DATABASE_URL;

  /** Comma-separated Kafka bootstrap servers (host:port). */
  @IsString()
  @Matches(/^[^,\s]+:\d+(,[^,\s]+:\d+)*$/, { message: 'must be host:port[,host:port…]' })
  KAFKA_BROKERS: string = DEFAULT_KAFKA_BROKERS;

  /** Prefix for every topic and consumer group name (a namespace; tests use it). */
  @IsString()
  @Matches(/^[a-zA-Z0-9._-]*$/, { message: 'may contain letters, digits, ".", "_" and "-" only' })
  KAFKA_TOPIC_PREFIX: string = '';

  /** Size of each app's PostgreSQL connection pool. */
  @IsInt()
  @Min(1)
  @Max(100)
  DATABASE_POOL_SIZE: number = 10;

  @IsIn(LOG_LEVELS)
  LOG_LEVEL: LogLevel = 'info';

  /** `json` lines, or `pretty` ones for a terminal (the logger reads it itself, at start). */
  @IsOptional()
  @IsIn(['json', 'pretty'])
  LOG_FORMAT?: 'json' | 'pretty';

  /** HTTP port for the app's health and metrics endpoints (the gateway's API on the gateway). */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT?: number;

  /** Interface to bind HTTP on. */
  @IsString()
  HOST: string = '127.0.0.1';
}

export function kafkaBrokers(config: CommonConfig): string[] {
  return config.KAFKA_BROKERS.split(',');
}
