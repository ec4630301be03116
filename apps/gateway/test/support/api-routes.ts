import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { CREDENTIALS, CredentialKind } from '../../src/auth/auth.guard';
import { GATEWAY_CONTROLLERS } from '../../src/gateway.module';

export interface ApiRoute {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Nest path with `:param` placeholders, e.g. `/user/foruserid/:userID`. */
  path: string;
  accepts: CredentialKind[];
  /** `GET /user/foruserid/:userID` */
  id: string;
}

/**
 * Every route of the gateway's API, read from the controllers' own metadata. Tests that must
 * cover every route (credentials, tenant isolation) iterate over this, so a new route is covered
 * — or fails those tests — by construction.
 */
export function apiRoutes(): ApiRoute[] {
  return GATEWAY_CONTROLLERS.flatMap((controller) => {
    const base = String(Reflect.getMetadata(PATH_METADATA, controller) ?? '');
    const classAccepts = Reflect.getMetadata(CREDENTIALS, controller) as CredentialKind[] | undefined;
    const prototype = controller.prototype as unknown as Record<string, unknown>;
    return Object.getOwnPropertyNames(prototype).flatMap((name) => {
      const handler = prototype[name];
      if (name === 'constructor' || typeof handler !== 'function') return [];
      const path = Reflect.getMetadata(PATH_METADATA, handler) as string | undefined;
      if (path === undefined) return [];
      const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod] as ApiRoute['method'];
      const accepts = (Reflect.getMetadata(CREDENTIALS, handler) as CredentialKind[] | undefined) ?? classAccepts ?? [];
      const full = `/${[base, path].filter((part) => part && part !== '/').join('/')}`.replace(/\/+/g, '/');
      return [{ method, path: full, accepts, id: `${method} ${full}` }];
    });
  });
}

/** A concrete path: each `:param` replaced by `value`. */
export function fillPath(path: string, value = 'x'): string {
  return path.replace(/:[A-Za-z]+/g, encodeURIComponent(value));
}
