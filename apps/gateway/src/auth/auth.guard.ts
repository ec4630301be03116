import { CanActivate, ExecutionContext, Inject, Injectable, SetMetadata, createParamDecorator } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { FastifyReply, FastifyRequest } from 'fastify';
import { PUBLIC_ROUTE } from '@omni/observability';
import { ApiError } from '../errors/api-error';
import { ApplicationRecord, SECRET_HASHER } from '../applications/applications.store';
import { ApplicationCache } from './application-cache';
import { RATE_LIMITER, RateLimiter } from './rate-limiter';
import { SecretHasher, isApplicationKey, parseBasic } from './credentials';

/** Which credential a route accepts: `sdk` = key + application secret, `master` = key + master secret. */
export type CredentialKind = 'admin' | 'master' | 'sdk';

export const CREDENTIALS = 'omni:credentials';
export const ADMIN_SECRET = Symbol('ADMIN_SECRET');
export const ADMIN_USER = 'admin';

/** Declare the credentials a route accepts. A route without it is refused (the guard fails closed). */
export const Accepts = (...kinds: CredentialKind[]) => SetMetadata(CREDENTIALS, kinds);

export interface AuthenticatedRequest extends FastifyRequest {
  auth?: { kind: CredentialKind; application?: string; record?: ApplicationRecord };
}

/** The credential kind a request authenticated with. */
export const Credential = createParamDecorator((_: unknown, ctx: ExecutionContext): CredentialKind => {
  const kind = ctx.switchToHttp().getRequest<AuthenticatedRequest>().auth?.kind;
  if (!kind) throw new Error('route is not authenticated');
  return kind;
});

/** The authenticated application's key (the tenant). */
export const ApplicationKey = createParamDecorator((_: unknown, ctx: ExecutionContext): string => {
  const application = ctx.switchToHttp().getRequest<AuthenticatedRequest>().auth?.application;
  if (!application) throw new Error('route has no application credential');
  return application;
});

/**
 * HTTP Basic authentication on every route of the gateway's API.
 * Missing or malformed → 401 with `WWW-Authenticate`; unknown key or wrong secret → 401;
 * a valid credential of a kind the route does not accept → 403.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly applications: ApplicationCache,
    @Inject(SECRET_HASHER) private readonly hasher: SecretHasher,
    @Inject(ADMIN_SECRET) private readonly adminSecret: string,
    @Inject(RATE_LIMITER) private readonly limiter: RateLimiter,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean | undefined>(PUBLIC_ROUTE, targets)) return true;
    const accepted = this.reflector.getAllAndOverride<CredentialKind[] | undefined>(CREDENTIALS, targets);
    if (!accepted) throw new ApiError(403, 'FORBIDDEN', 'route declares no credential');
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    const challenge = () => {
      void reply.header('WWW-Authenticate', 'Basic realm="omnichannel-profiles", charset="UTF-8"');
    };
    const credentials = parseBasic(request.headers.authorization);
    if (!credentials) {
      challenge();
      throw new ApiError(401, 'UNAUTHORIZED', 'missing or malformed Basic credentials');
    }
    const kind = await this.identify(credentials.user, credentials.password);
    if (!kind) {
      challenge();
      throw new ApiError(401, 'UNAUTHORIZED', 'unknown application key or wrong secret');
    }
    if (!accepted.includes(kind.kind)) {
      throw new ApiError(403, 'FORBIDDEN', `this route does not accept ${describe(kind.kind)} credentials`);
    }
    if (kind.application) {
      const verdict = this.limiter.take(kind.application);
      if (!verdict.allowed) {
        void reply.header('Retry-After', String(verdict.retryAfterSeconds));
        throw new ApiError(429, 'RATE_LIMITED', `too many requests for this application; retry after ${verdict.retryAfterSeconds} s`);
      }
    }
    request.auth = kind;
    return true;
  }

  private async identify(user: string, password: string): Promise<AuthenticatedRequest['auth'] | undefined> {
    if (user === ADMIN_USER) {
      return this.hasher.matches(password, this.hasher.hash(this.adminSecret)) ? { kind: 'admin' } : undefined;
    }
    if (!isApplicationKey(user)) return undefined;
    const application = await this.applications.get(user);
    if (!application) return undefined;
    if (this.hasher.matches(password, application.masterSecretHash)) return { kind: 'master', application: user, record: application };
    if (this.hasher.matches(password, application.applicationSecretHash)) return { kind: 'sdk', application: user, record: application };
    return undefined;
  }
}

function describe(kind: CredentialKind): string {
  return kind === 'sdk' ? 'application secret' : kind === 'master' ? 'master secret' : 'admin';
}
