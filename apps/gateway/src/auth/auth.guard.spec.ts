import crypto from 'node:crypto';
import { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { strictFake } from '@omni/testing';
import { ApplicationRecord } from '../applications/applications.store';
import { ApiError } from '../errors/api-error';
import { ApplicationCache } from './application-cache';
import { Accepts, AuthGuard, AuthenticatedRequest } from './auth.guard';
import { SecretHasher } from './credentials';
import { RateLimiter } from './rate-limiter';

const ADMIN_SECRET = 'the-admin-secret-0123456789abcdef';
const APPLICATION_KEY = 'a'.repeat(40);
const MASTER_SECRET = 'm'.repeat(64);
const APPLICATION_SECRET = 's'.repeat(64);

/** Routes as the guard sees them: a handler with its declared credentials. */
class Routes {
  @Accepts('admin')
  admin(): void {}

  @Accepts('master')
  backend(): void {}
}

function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
}

describe('AuthGuard: credential comparison', () => {
  const hasher = new SecretHasher('server-hash-key-0123456789abcdef');
  const application = {
    applicationKey: APPLICATION_KEY,
    masterSecretHash: hasher.hash(MASTER_SECRET),
    applicationSecretHash: hasher.hash(APPLICATION_SECRET),
  } as ApplicationRecord;
  const applications = strictFake<ApplicationCache>('ApplicationCache', {
    get: async (key: string) => (key === APPLICATION_KEY ? application : undefined),
  });
  const limiter = strictFake<RateLimiter>('RateLimiter', { take: () => ({ allowed: true }) });
  const guard = new AuthGuard(new Reflector(), applications, hasher, ADMIN_SECRET, limiter);

  /** Run the guard on a route with an Authorization header; the request as the guard left it. */
  async function authenticate(route: keyof Routes, authorization: string): Promise<AuthenticatedRequest> {
    const request = { headers: { authorization } } as unknown as AuthenticatedRequest;
    const reply = strictFake('FastifyReply', { header: () => reply });
    const context = strictFake<ExecutionContext>('ExecutionContext', {
      getType: () => 'http',
      getHandler: () => Routes.prototype[route],
      getClass: () => Routes,
      switchToHttp: () => ({ getRequest: () => request, getResponse: () => reply }),
    });
    await guard.canActivate(context);
    return request;
  }

  /** The status of the ApiError the guard refused with (fails when the guard let the request in). */
  async function refusal(route: keyof Routes, authorization: string): Promise<number> {
    const error: unknown = await authenticate(route, authorization).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    if (!(error instanceof ApiError)) throw new Error(`expected a refusal, got ${String(error)}`);
    return error.getStatus();
  }

  afterEach(() => jest.restoreAllMocks());

  it('lets the admin in with the admin secret', async () => {
    expect((await authenticate('admin', basic('admin', ADMIN_SECRET))).auth).toEqual({ kind: 'admin' });
  });

  it.each([
    ['another secret', 'not-the-admin-secret-0123456789ab'],
    ['the secret with its last character changed', `${ADMIN_SECRET.slice(0, -1)}g`],
    ['a prefix of the secret', ADMIN_SECRET.slice(0, 8)],
    ['the secret followed by more', `${ADMIN_SECRET}x`],
    ['an empty password', ''],
    ['an application master secret', MASTER_SECRET],
  ])('refuses the admin user with %s (401)', async (_case, password) => {
    expect(await refusal('admin', basic('admin', password))).toBe(401);
  });

  it('compares the admin secret in constant time: always timingSafeEqual over two 32-byte digests, whatever the length of the guess', async () => {
    const compare = jest.spyOn(crypto, 'timingSafeEqual');
    for (const guess of ['x', ADMIN_SECRET.slice(0, -1), `${ADMIN_SECRET.slice(0, -1)}g`, ADMIN_SECRET, 'y'.repeat(1_000)]) {
      compare.mockClear();
      await authenticate('admin', basic('admin', guess)).catch(() => undefined);
      const calls = compare.mock.calls as [NodeJS.ArrayBufferView, NodeJS.ArrayBufferView][];
      expect({ guess: guess.length, calls: calls.map(([a, b]) => [a.byteLength, b.byteLength]) }).toEqual({ guess: guess.length, calls: [[32, 32]] });
    }
  });

  it('compares application secrets in constant time too (master, then application secret)', async () => {
    const compare = jest.spyOn(crypto, 'timingSafeEqual');
    expect((await authenticate('backend', basic(APPLICATION_KEY, MASTER_SECRET))).auth).toMatchObject({ kind: 'master', application: APPLICATION_KEY });
    expect(compare).toHaveBeenCalledTimes(1);

    compare.mockClear();
    expect(await refusal('backend', basic(APPLICATION_KEY, 'wrong'))).toBe(401);
    expect(compare.mock.calls.map(([a, b]) => [a.byteLength, b.byteLength])).toEqual([
      [32, 32],
      [32, 32],
    ]);
  });

  it('a valid admin secret on a backend route is 403, not a way in', async () => {
    expect(await refusal('backend', basic('admin', ADMIN_SECRET))).toBe(403);
  });
});
