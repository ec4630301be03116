import { FastifyReply } from 'fastify';
import { HttpAnswer } from './command-bus';

/** Apply a command's answer (status, headers) to the reply and return its body. */
export function reply(res: FastifyReply, answer: HttpAnswer): unknown {
  void res.status(answer.status);
  for (const [name, value] of Object.entries(answer.headers ?? {})) void res.header(name, value);
  return answer.body;
}

/** `Prefer: respond-async` (RFC 7240), among other preferences. */
export function prefersAsync(prefer: string | undefined): boolean {
  return (prefer ?? '')
    .split(',')
    .some((preference) => preference.trim().toLowerCase() === 'respond-async');
}
