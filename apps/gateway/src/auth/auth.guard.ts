import { CanActivate, ExecutionContext, Inject, Injectable, SetMetadata, createParamDecorator } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { FastifyReply, FastifyRequest } from 'fastify';
import { PUBLIC_ROUTE } from '@omni/observability';
import { ApiError } from '../errors/api-error';
import { ApplicationsStore, SECRET_HASHER } from './applications.store';
import { SecretHasher, parseBasic } from './credentials';

/** Which credential a route accepts: `sdk` = key + application secret, `master` = key + master secret. */
export type CredentialKind = 'admin' | 'master' | 'sdk';

const CREDENTIALS = 'omni:credentials';
export const ADMIN_SECRET = Symbol('ADMIN_SECRET');
export const ADMIN_USER = 'admin';

/** Declare the credentials a route accepts. A route without it is refused (the guard fails closed). */
export const Accepts = (...kinds: CredentialKind[]) => SetMetadata(CREDENTIALS, kinds);

export interface AuthenticatedRequest extends FastifyRequest {
  auth?: { kind: CredentialKind; application?: string };
}

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
    private readonly applications: ApplicationsStore,
    @Inject(SECRET_HASHER) private readonly hasher: SecretHasher,
    @Inject(ADMIN_SECRET) private readonly adminSecret: string,
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
    request.auth = kind;
    return true;
  }

  private async identify(user: string, password: string): Promise<AuthenticatedRequest['auth'] | undefined> {
    if (user === ADMIN_USER) {
      return this.hasher.matches(password, this.hasher.hash(this.adminSecret)) ? { kind: 'admin' } : undefined;
    }
    const application = await this.applications.find(user);
    if (!application) return undefined;
    if (this.hasher.matches(password, application.masterSecretHash)) return { kind: 'master', application: user };
    if (this.hasher.matches(password, application.applicationSecretHash)) return { kind: 'sdk', application: user };
    return undefined;
  }
}

function describe(kind: CredentialKind): string {
  return kind === 'sdk' ? 'application secret' : kind === 'master' ? 'master secret' : 'admin';
}
