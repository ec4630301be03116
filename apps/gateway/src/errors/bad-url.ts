import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import { ErrorBody } from './api-error';

/**
 * Whether the path of a request URL (what precedes `?` or `#`) is valid percent-encoded UTF-8.
 * The router cannot decode one that is not (`%zz`, a lone `%`, `%C0%AE` overlong, `%ED%A0%80` a
 * surrogate) and refuses it itself.
 */
export function decodablePath(url: string | undefined): boolean {
  const path = (url ?? '/').split(/[?#]/, 1)[0];
  if (!path.includes('%')) return true;
  try {
    decodeURIComponent(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Answer a request whose path is not valid percent-encoding with the API's one error body.
 *
 * Fastify's router refuses such a URL before any hook, guard or filter runs, with a body of its
 * own (`{"error":…,"code":"FST_ERR_BAD_URL",…}`) that echoes the URL; Fastify's `frameworkErrors`
 * option would route it, but it can only be given when the Fastify instance is created, which
 * libs/runtime does for every app. So the gateway wraps its server's request listener: bad paths
 * are answered here, everything else goes to Fastify untouched.
 */
export function answerBadUrlsWithErrorBody(server: Server): void {
  const listeners = server.listeners('request') as RequestListener[];
  if (listeners.length === 0) throw new Error('the HTTP server has no request listener to wrap (is it created yet?)');
  server.removeAllListeners('request');
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    if (decodablePath(request.url)) {
      for (const listener of listeners) listener.call(server, request, response);
      return;
    }
    const body: ErrorBody = { status: 400, code: 'BAD_URL', message: 'the request path is not valid percent-encoded UTF-8' };
    const text = JSON.stringify(body);
    response.writeHead(400, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
    response.end(text);
  });
}
