import type { INestApplicationContext } from '@nestjs/common';
import { AUTH_GLOBAL_GUARD, ENFORCE_SETTINGS, SESSION_SETTINGS } from '../auth.tokens.js';
import type { EnforceSettings, SessionSettings } from '../options/resolved-auth-options.js';
import { operationsOf, type OpenApiDocumentLike, type OpenApiOperationLike } from './openapi-document.js';
import { routeHandlers, type RouteHandler, type RouteRequirement } from './route-requirements.js';

export interface AuthOpenApiOptions {
  /** Name of the session-cookie security scheme. Default `session`. */
  sessionSchemeName?: string;
  /** Name of the bearer-token security scheme. Default `bearer`. */
  bearerSchemeName?: string;
  /**
   * The `operationIdFactory` given to `SwaggerModule.createDocument`, if any: operations are
   * matched to their handlers by operation id. Default: swagger's (`Controller_method`).
   */
  operationIdFactory?: (controllerKey: string, methodKey: string) => string;
}

/**
 * Adds the module's authentication to an OpenAPI document a host built with `@nestjs/swagger`
 * (which this library does not depend on): the security schemes (the session cookie, as
 * `apiKey` in `cookie`, and `http` bearer JWT), and on every operation the requirement the
 * `AuthGuard` enforces: either scheme where a user is needed, none (`security: []`) on `@Public()`
 * routes and enforce-mode exclusions, a `401` response, and a `403` response naming the roles
 * and scopes of `@Roles`, `@AllRoles` and `@Scopes` (also in `x-nestflux-roles`, `x-nestflux-scopes`).
 * The module's own routes (`/auth/login`, `/auth/me`, …) are in the document like the host's.
 * Call it after `app.init()` (or `listen`). Returns the same document.
 */
export function addAuthSecurity<TDocument extends OpenApiDocumentLike>(
  app: INestApplicationContext,
  document: TDocument,
  options: AuthOpenApiOptions = {},
): TDocument {
  const sessionScheme = options.sessionSchemeName ?? 'session';
  const bearerScheme = options.bearerSchemeName ?? 'bearer';
  const session = app.get<SessionSettings>(SESSION_SETTINGS, { strict: false });
  const enforce = app.get<EnforceSettings | null>(ENFORCE_SETTINGS, { strict: false });
  const globalGuard = app.get<boolean>(AUTH_GLOBAL_GUARD, { strict: false });

  const components = ((document as { components?: Record<string, unknown> }).components ??= {});
  const schemes = ((components.securitySchemes as Record<string, unknown> | undefined) ??= {});
  components.securitySchemes = schemes;
  schemes[sessionScheme] = {
    type: 'apiKey',
    in: 'cookie',
    name: session.cookie.name,
    description: 'The session cookie set by the browser login (GET /auth/login).',
  };
  schemes[bearerScheme] = {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: 'An access token of the identity provider (JWT, audience checked).',
  };

  const byOperationId = indexByOperationId(
    routeHandlers(app, globalGuard),
    options.operationIdFactory ?? ((c, m) => (c ? `${c}_${m}` : m)),
  );
  for (const { path, operation } of operationsOf(document)) {
    const requirement = requirementOf(operation, byOperationId);
    if (!requirement) continue;
    if (!requirement.guarded || enforce?.isExcluded(path)) {
      operation.security = [];
      continue;
    }
    operation.security = [{ [sessionScheme]: [] }, { [bearerScheme]: [] }];
    describeRequirement(operation, requirement);
  }
  return document;
}

function describeRequirement(operation: OpenApiOperationLike, requirement: RouteRequirement): void {
  const responses = (operation.responses ??= {});
  responses['401'] ??= { description: 'No valid session cookie or bearer token.' };
  const needs: string[] = [];
  if (requirement.anyRoles.length) needs.push(`one of the roles ${requirement.anyRoles.join(', ')}`);
  if (requirement.allRoles.length) needs.push(`all of the roles ${requirement.allRoles.join(', ')}`);
  if (requirement.scopes.length) needs.push(`the scopes ${requirement.scopes.join(', ')}`);
  if (!needs.length) return;
  responses['403'] ??= { description: `Requires ${needs.join('; ')}.` };
  if (requirement.anyRoles.length || requirement.allRoles.length)
    operation['x-nestflux-roles'] = { anyOf: requirement.anyRoles, allOf: requirement.allRoles };
  if (requirement.scopes.length) operation['x-nestflux-scopes'] = requirement.scopes;
}

/** Swagger's ids are `<base>` or `<base>_<version>` / `<base>_<method>`: the longest matching base wins. */
function requirementOf(operation: OpenApiOperationLike, byOperationId: Map<string, RouteRequirement>): RouteRequirement | undefined {
  const id = operation.operationId;
  if (!id) return undefined;
  let best: string | undefined;
  for (const base of byOperationId.keys()) {
    if ((id === base || id.startsWith(`${base}_`)) && (best === undefined || base.length > best.length)) best = base;
  }
  return best === undefined ? undefined : byOperationId.get(best);
}

/** Two controllers of one class name share ids: the stricter requirement is documented. */
function indexByOperationId(
  handlers: RouteHandler[],
  operationId: (controllerKey: string, methodKey: string) => string,
): Map<string, RouteRequirement> {
  const index = new Map<string, RouteRequirement>();
  for (const { controllerKey, methodKey, requirement } of handlers) {
    const id = operationId(controllerKey, methodKey);
    const known = index.get(id);
    index.set(id, known && (known.guarded || !requirement.guarded) ? known : requirement);
  }
  return index;
}
