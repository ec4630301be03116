import 'reflect-metadata';
import { Type } from '@nestjs/common';
import { CUSTOM_ROUTE_ARGS_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { PUBLIC_ROUTE } from '@omni/observability';
import { CREDENTIALS, CredentialKind } from '../auth/auth.guard';
import { WriteHeaders } from '../commands/request-headers';

/** What the documentation needs to know about one handler, read from its Nest metadata. */
export interface HandlerMetadata {
  /** `@Accepts(...)` of the handler, else of its controller (empty: the guard refuses every request). */
  accepts: CredentialKind[];
  /** `PUBLIC_ROUTE` (health, metrics): no credential. */
  isPublic: boolean;
  /** The declared type of the `@Body()` parameter (`Object` for `body: unknown`), if the handler takes one. */
  body?: unknown;
  /** The declared type of the `@Query()` parameter (a DTO class), if any. */
  query?: unknown;
  /** A command write (`@WriteHeaders()`): `Idempotency-Key`, `Prefer: respond-async`, 202. */
  write: boolean;
}

interface RouteArg {
  index: number;
  data?: unknown;
  factory?: unknown;
}

/** The factory behind `@WriteHeaders()`, found by applying the decorator to a probe. */
const WRITE_HEADERS_FACTORY: unknown = (() => {
  class Probe {
    handler(): void {}
  }
  WriteHeaders()(Probe.prototype, 'handler', 0);
  const args = Reflect.getMetadata(ROUTE_ARGS_METADATA, Probe, 'handler') as Record<string, RouteArg>;
  return Object.values(args)[0]?.factory;
})();

export function handlerMetadata(controller: Type<unknown>, handlerName: string): HandlerMetadata {
  const handler = (controller.prototype as Record<string, unknown>)[handlerName] as object;
  const targets = [handler, controller];
  const read = <T>(key: string): T | undefined =>
    targets.map((target) => Reflect.getMetadata(key, target) as T | undefined).find((value) => value !== undefined);
  const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, handlerName) ?? {}) as Record<string, RouteArg>;
  const types = (Reflect.getMetadata('design:paramtypes', controller.prototype, handlerName) ?? []) as unknown[];
  const argOf = (paramtype: RouteParamtypes) =>
    Object.entries(args).find(([key, arg]) => key === `${paramtype}:${arg.index}` && arg.data === undefined)?.[1];
  const body = argOf(RouteParamtypes.BODY);
  const query = argOf(RouteParamtypes.QUERY);
  const write = Object.entries(args).some(
    ([key, arg]) => key.includes(CUSTOM_ROUTE_ARGS_METADATA) && WRITE_HEADERS_FACTORY !== undefined && arg.factory === WRITE_HEADERS_FACTORY,
  );
  return {
    accepts: read<CredentialKind[]>(CREDENTIALS) ?? [],
    isPublic: read<boolean>(PUBLIC_ROUTE) === true,
    ...(body ? { body: types[body.index] ?? Object } : {}),
    ...(query ? { query: types[query.index] } : {}),
    write,
  };
}
