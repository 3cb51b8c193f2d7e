import type { ExecutionContext } from '@nestjs/common';
import type { IncomingHttpHeaders } from 'node:http';
import type { AuthUser } from '../users/auth-user.js';
import { upgradeRequestOf } from './upgrade-requests.js';

/** What the authenticator reads from a request: Express, Fastify and Node's IncomingMessage all fit. */
export interface AuthRequest {
  headers: IncomingHttpHeaders;
  method?: string;
  url?: string;
}

/** Where the guard leaves the user (`request.user`, as passport does) for `@CurrentUser()`. */
export function userOf(request: AuthRequest): AuthUser | undefined {
  return (request as { user?: AuthUser }).user;
}

export function setUser(request: AuthRequest, user: AuthUser): void {
  (request as { user?: AuthUser }).user = user;
}

/** The context kinds the guard authenticates; anything else is denied unless `@Public()`. */
export type AuthContextKind = 'http' | 'graphql' | 'ws';

export interface AuthTarget {
  kind: AuthContextKind;
  /** The HTTP request (GraphQL: the one carrying the operation; WebSocket: the upgrade request). */
  request: AuthRequest;
}

/**
 * Finds the request to authenticate in an execution context, or undefined when there is none
 * (an RPC context, a WebSocket client whose upgrade request was not kept, an unknown kind).
 */
export function authTargetOf(context: ExecutionContext): AuthTarget | undefined {
  const type = context.getType<string>();
  if (type === 'http') return asTarget('http', context.switchToHttp().getRequest<unknown>());
  if (type === 'graphql') return asTarget('graphql', graphQlRequest(context.getArgByIndex<unknown>(2)));
  if (type === 'ws') return asTarget('ws', upgradeRequestOf(context.switchToWs().getClient<unknown>()));
  return undefined;
}

/**
 * The request in a GraphQL context: `req` (Apollo, and @nestjs/mercurius), `request`, Mercurius'
 * `reply.request`, or graphql-ws subscriptions' `extra.request` (the upgrade request).
 */
function graphQlRequest(gqlContext: unknown): unknown {
  if (gqlContext === null || typeof gqlContext !== 'object') return undefined;
  const ctx = gqlContext as { req?: unknown; request?: unknown; reply?: { request?: unknown }; extra?: { request?: unknown } };
  return ctx.req ?? ctx.request ?? ctx.reply?.request ?? ctx.extra?.request;
}

function asTarget(kind: AuthContextKind, request: unknown): AuthTarget | undefined {
  const headers = (request as { headers?: unknown } | null | undefined)?.headers;
  return headers !== null && typeof headers === 'object' ? { kind, request: request as AuthRequest } : undefined;
}
