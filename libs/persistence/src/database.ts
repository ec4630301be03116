import { Client, ClientConfig } from 'pg';
import { quoteIdentifier } from './data-source';

/** How long opening a PostgreSQL connection may take before it fails (the apps' pools wait as long). */
export const CONNECT_TIMEOUT_MS = 10_000;

/** How long a statement of a one-off client (create or drop a database) may run. */
export const ADMIN_STATEMENT_TIMEOUT_MS = 60_000;

export interface ClientTimeouts {
  /** Default CONNECT_TIMEOUT_MS. */
  connectTimeoutMs?: number;
  /** Server-side `statement_timeout`; the client gives up 5 s later (a server that no longer answers). Default none. */
  statementTimeoutMs?: number;
}

/**
 * Options of a single pg Client (outside the apps' pools) that cannot hang: connecting fails after
 * `connectTimeoutMs`, TCP keep-alive notices a peer that vanished without closing the connection
 * (a long-lived connection that only waits, such as a LISTEN, would otherwise wait forever), and
 * with `statementTimeoutMs` a statement is cancelled by the server, or abandoned if it never answers.
 */
export function clientOptions(url: string, timeouts: ClientTimeouts = {}): ClientConfig {
  const { connectTimeoutMs = CONNECT_TIMEOUT_MS, statementTimeoutMs } = timeouts;
  return {
    connectionString: url,
    connectionTimeoutMillis: connectTimeoutMs,
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
    ...(statementTimeoutMs !== undefined ? { statement_timeout: statementTimeoutMs, query_timeout: statementTimeoutMs + 5_000 } : {}),
  };
}

/** A connected client to the server's `postgres` database, for creating and dropping databases. */
async function adminClient(url: string, timeouts: ClientTimeouts): Promise<Client> {
  const admin = new Client(clientOptions(withDatabase(url, 'postgres'), { statementTimeoutMs: ADMIN_STATEMENT_TIMEOUT_MS, ...timeouts }));
  try {
    // A timed-out or refused connect closes its own socket.
    await admin.connect();
  } catch (error) {
    throw new Error(`cannot connect to PostgreSQL at ${redactUrl(withDatabase(url, 'postgres'))}: ${(error as Error).message}`, { cause: error });
  }
  return admin;
}

/** The database name of a postgres:// URL. */
export function databaseName(url: string): string {
  const name = decodeURIComponent(new URL(url).pathname.replace(/^\//, ''));
  if (!name) throw new Error(`DATABASE_URL has no database name: ${redactUrl(url)}`);
  return name;
}

/** The same URL pointing at another database on the same server. */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.toString();
}

/** A URL safe to print: the password replaced. */
export function redactUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}

/**
 * Create the database named in `url` if it does not exist (connecting to the server's
 * `postgres` database to do so). Optionally from a template database.
 */
export async function ensureDatabase(url: string, options: { template?: string } & ClientTimeouts = {}): Promise<boolean> {
  const name = databaseName(url);
  const admin = await adminClient(url, options);
  try {
    const existing = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (existing.rowCount) return false;
    const template = options.template ? ` TEMPLATE ${quoteIdentifier(options.template)}` : '';
    try {
      await admin.query(`CREATE DATABASE ${quoteIdentifier(name)}${template}`);
    } catch (error) {
      // Another process created it between our check and our CREATE: that is fine.
      if ((error as { code?: string }).code !== '42P04') throw error;
      return false;
    }
    return true;
  } finally {
    await admin.end();
  }
}

/** Drop the database named in `url`, disconnecting whoever still uses it. */
export async function dropDatabase(url: string, timeouts: ClientTimeouts = {}): Promise<void> {
  const name = databaseName(url);
  const admin = await adminClient(url, timeouts);
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(name)} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}
