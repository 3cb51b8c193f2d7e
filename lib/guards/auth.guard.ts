import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { HttpRequest as Request } from '../http/http-types.js';
import { ALL_ROLES_KEY, ANY_ROLES_KEY, IS_PUBLIC_KEY, SCOPES_KEY } from '../decorators/auth-metadata.js';
import { ForbiddenError } from '../errors/auth-error.js';
import { asDependencyError } from '../errors/dependency-errors.js';
import type { AuthUser } from '../users/auth-user.js';
import { RequestAuthenticator } from './request-authenticator.service.js';

const AUTHENTICATED = Symbol('nestflux:authenticated');

/**
 * One guard for browser sessions and bearer tokens. 401 without valid credentials, 403 when a
 * `@Roles`, `@AllRoles` or `@Scopes` requirement is not met. Subclass and override the protected
 * hooks to change a decision without forking.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    protected readonly reflector: Reflector,
    protected readonly authenticator: RequestAuthenticator,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http' || this.isPublic(context)) return true;
    const req = context.switchToHttp().getRequest<Request & { user?: AuthUser; [AUTHENTICATED]?: AuthUser }>();
    // Global and per-route AuthGuard on one route authenticate once.
    const user = req[AUTHENTICATED] ?? (await this.authenticator.authenticate(req).catch((error: unknown) => {
      throw asDependencyError(error);
    }));
    req[AUTHENTICATED] = user;
    req.user = user;
    this.authorize(user, context);
    return true;
  }

  protected isPublic(context: ExecutionContext): boolean {
    return this.reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, [context.getHandler(), context.getClass()]) === true;
  }

  /** Throws `ForbiddenError` when a role or scope requirement is not met. */
  protected authorize(user: AuthUser, context: ExecutionContext): void {
    const targets = [context.getHandler(), context.getClass()];
    const anyRoles = this.reflector.getAllAndOverride<string[] | undefined>(ANY_ROLES_KEY, targets);
    if (anyRoles?.length && !anyRoles.some((role) => user.roles.includes(role))) {
      throw new ForbiddenError('AUTH_FORBIDDEN_ROLE', `Requires one of the roles: ${anyRoles.join(', ')}.`);
    }
    const allRoles = this.reflector.getAllAndOverride<string[] | undefined>(ALL_ROLES_KEY, targets);
    if (allRoles?.length && !allRoles.every((role) => user.roles.includes(role))) {
      throw new ForbiddenError('AUTH_FORBIDDEN_ROLE', `Requires all of the roles: ${allRoles.join(', ')}.`);
    }
    const scopes = this.reflector.getAllAndOverride<string[] | undefined>(SCOPES_KEY, targets);
    if (scopes?.length && !scopes.every((scope) => user.scopes.includes(scope))) {
      throw new ForbiddenError('AUTH_FORBIDDEN_SCOPE', `Requires the scopes: ${scopes.join(', ')}.`);
    }
  }
}
