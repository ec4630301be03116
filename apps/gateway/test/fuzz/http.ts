import { Pool } from 'undici';
import type { FuzzCase } from './request-cases';

export interface FuzzAnswer {
  /** 0 when the gateway closed the connection instead of answering (see `closed`). */
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /**
   * The gateway closed the connection while the client was still sending a body over its limit:
   * it refused to read it (HTTP allows that; often the 413 arrives first, sometimes the reset).
   */
  closed?: true;
}

/** A gateway that does not answer within this is as broken as one that answers 500. */
const ANSWER_TIMEOUT_MS = 30_000;

/**
 * Sends fuzz cases over a few kept-alive connections (undici): the path goes out exactly as
 * given — `../` and `%2e%2e` are not normalised away as `fetch` would.
 */
export class FuzzClient {
  private readonly pool: Pool;

  constructor(
    origin: string,
    connections: number,
    private readonly bodyLimitBytes: number,
  ) {
    this.pool = new Pool(origin, { connections, pipelining: 1, keepAliveTimeout: 30_000, headersTimeout: ANSWER_TIMEOUT_MS, bodyTimeout: ANSWER_TIMEOUT_MS });
  }

  async send(request: FuzzCase): Promise<FuzzAnswer> {
    try {
      const answer = await this.pool.request({
        method: request.method,
        path: request.path,
        headers: request.headers,
        ...(request.body !== undefined ? { body: request.body } : {}),
      });
      const text = await answer.body.text();
      return { status: answer.statusCode, headers: answer.headers, text };
    } catch (error) {
      const code = (error as { code?: string }).code ?? '';
      const oversized = request.body !== undefined && Buffer.byteLength(request.body) > this.bodyLimitBytes;
      if (oversized && ['EPIPE', 'ECONNRESET', 'UND_ERR_SOCKET'].includes(code)) {
        return { status: 0, headers: {}, text: `connection closed while sending the body (${code})`, closed: true };
      }
      throw error;
    }
  }

  /** Drop the connections (requests still in flight fail). */
  async close(): Promise<void> {
    await this.pool.destroy();
  }
}

const ERROR_KEYS = ['status', 'code', 'message', 'fields'];

/**
 * What is wrong with an answer to a fuzz case; empty when it is fine. Fine = no 5xx; every 4xx
 * carries the one error body of the API (apps/gateway/src/errors: status, code, message, fields);
 * a request with a wrong credential is never let through; a 401 challenges.
 */
export function problemsOf(request: FuzzCase, answer: FuzzAnswer): string[] {
  const problems: string[] = [];
  if (answer.closed) return [];
  if (answer.status >= 500) problems.push(`answered ${answer.status}`);
  if (answer.status >= 400) {
    let body: unknown;
    try {
      body = JSON.parse(answer.text);
    } catch {
      problems.push(`${answer.status} with a body that is not JSON: ${answer.text.slice(0, 120)}`);
    }
    if (body !== undefined) problems.push(...errorBodyProblems(answer.status, body));
    if (!String(answer.headers['content-type'] ?? '').startsWith('application/json')) {
      problems.push(`${answer.status} with content-type ${String(answer.headers['content-type'])}`);
    }
  }
  if (request.credential !== 'right' && answer.status < 400) {
    problems.push(`a ${request.credential} credential was let through (${answer.status})`);
  }
  if (answer.status === 401 && !answer.headers['www-authenticate']) problems.push('401 without WWW-Authenticate');
  return problems;
}

function errorBodyProblems(status: number, body: unknown): string[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return [`${status} body is not an object`];
  const error = body as Record<string, unknown>;
  const problems: string[] = [];
  if (error.status !== status) problems.push(`body status ${String(error.status)} is not ${status}`);
  if (typeof error.code !== 'string' || !/^[A-Z][A-Z0-9_]*$/.test(error.code)) problems.push(`code ${JSON.stringify(error.code)}`);
  if (typeof error.message !== 'string' || error.message.length === 0) problems.push(`message ${JSON.stringify(error.message)}`);
  const extra = Object.keys(error).filter((key) => !ERROR_KEYS.includes(key));
  if (extra.length > 0) problems.push(`unexpected keys ${extra.join(', ')}`);
  if (error.fields !== undefined) {
    const fine =
      Array.isArray(error.fields) &&
      error.fields.length > 0 &&
      error.fields.every((field: unknown) => {
        const f = field as Record<string, unknown> | null;
        return typeof f === 'object' && f !== null && typeof f.field === 'string' && typeof f.message === 'string';
      });
    if (!fine) problems.push(`fields ${JSON.stringify(error.fields).slice(0, 200)}`);
  }
  return problems;
}

/** Counts per route, status and kind of case, for the summary printed at the end. */
export class FuzzStats {
  private readonly perRoute = new Map<string, { cases: number; statuses: Map<number, number> }>();
  private readonly perKind = new Map<string, number>();
  private readonly durations: number[] = [];
  private readonly slowest: { ms: number; what: string }[] = [];

  record(request: FuzzCase, status: number, ms = 0): void {
    this.durations.push(ms);
    if (ms >= 1_000) this.slowest.push({ ms, what: `${request.method} ${request.path.slice(0, 80)} ${status} [${request.bodyKind}] ${Math.round(ms)} ms` });
    const entry = this.perRoute.get(request.route) ?? { cases: 0, statuses: new Map<number, number>() };
    entry.cases++;
    entry.statuses.set(status, (entry.statuses.get(status) ?? 0) + 1);
    this.perRoute.set(request.route, entry);
    const kind = `${request.bodyKind}/${request.credential}`;
    this.perKind.set(kind, (this.perKind.get(kind) ?? 0) + 1);
  }

  get total(): number {
    return [...this.perRoute.values()].reduce((sum, entry) => sum + entry.cases, 0);
  }

  casesOf(route: string): number {
    return this.perRoute.get(route)?.cases ?? 0;
  }

  statuses(): Map<number, number> {
    const all = new Map<number, number>();
    for (const entry of this.perRoute.values()) {
      for (const [status, count] of entry.statuses) all.set(status, (all.get(status) ?? 0) + count);
    }
    return new Map([...all].sort(([a], [b]) => a - b));
  }

  summary(title: string, seconds: number): string {
    const format = (statuses: Map<number, number>) =>
      [...statuses]
        .sort(([a], [b]) => a - b)
        .map(([status, count]) => `${status === 0 ? 'closed' : status}:${count}`)
        .join(' ');
    const width = Math.max(...[...this.perRoute.keys()].map((route) => route.length));
    const lines = [...this.perRoute]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([route, entry]) => `  ${route.padEnd(width)} ${String(entry.cases).padStart(5)}  ${format(entry.statuses)}`);
    const kinds = [...this.perKind].sort(([a], [b]) => a.localeCompare(b)).map(([kind, count]) => `${kind}:${count}`);
    const sorted = [...this.durations].sort((a, b) => a - b);
    const at = (q: number) => Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0);
    const slow = [...this.slowest].sort((a, b) => b.ms - a.ms).slice(0, 3).map((entry) => entry.what);
    return [
      `${title}: ${this.total} cases on ${this.perRoute.size} routes in ${seconds.toFixed(1)} s (${Math.round(this.total / seconds)}/s)`,
      `  statuses: ${format(this.statuses())}`,
      `  latency: p50 ${at(0.5)} ms, p99 ${at(0.99)} ms, max ${at(1)} ms; ${this.slowest.length} over 1 s${slow.length > 0 ? ` (${slow.join('; ')})` : ''}`,
      `  body/credential: ${kinds.join(' ')}`,
      ...lines,
    ].join('\n');
  }
}
