import { Inject, Injectable, Optional, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ALL_ROLES_KEY, ANY_ROLES_KEY, IS_PUBLIC_KEY, SCOPES_KEY, STEP_UP_KEY } from '../decorators/auth-metadata.js';
import type { StepUpRequirement } from '../decorators/step-up.decorator.js';
import { AUTH_ROUTE_PREFIX, ENFORCE_SETTINGS } from '../auth.tokens.js';
import { ForbiddenError, LoginRedirectError, StepUpRequiredError, UnauthenticatedError } from '../errors/auth-error.js';
import type { EnforceSettings } from '../options/resolved-auth-options.js';
import { asDependencyError } from '../errors/dependency-errors.js';
import type { AuthUser, SessionAuthentication } from '../users/auth-user.js';
import { stepUpLoginUrl } from '../login/step-up-params.js';
import { authTargetOf, setUser, type AuthRequest, type AuthTarget } from './auth-context.js';
import { RequestAuthenticator } from './request-authenticator.service.js';
import { stepUpShortfall } from './step-up.js';
import { asWsException } from './ws-exception.js';

const AUTHENTICATED = Symbol('nestflux:authenticated');

/**
 * One guard for browser sessions and bearer tokens, on HTTP routes, GraphQL resolvers (the
 * request that carries the operation) and WebSocket gateways (the upgrade request of the
 * connection, see `keepUpgradeRequests`). Any other context (RPC, a kind it does not know) is
 * denied unless the handler is `@Public()`. 401 without valid credentials, 403 when a `@Roles`,
 * `@AllRoles` or `@Scopes` requirement is not met; 401 `AUTH_STEP_UP_REQUIRED` (RFC 9470) when a
 * `@RequireAcr` / `@RequireMfa` one is not. Subclass and override the protected hooks to
 * change a decision without forking.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    protected readonly reflector: Reflector,
    protected readonly authenticator: RequestAuthenticator,
    @Optional() @Inject(ENFORCE_SETTINGS) protected readonly enforce: EnforceSettings | null = null,
    @Optional() @Inject(AUTH_ROUTE_PREFIX) protected readonly routePrefix: string | null = null,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (this.isPublic(context)) return true;
    const target = authTargetOf(context);
    if (!target) {
      // Fail closed: a context the guard cannot read is not a context it has checked.
      const denied = new UnauthenticatedError(
        'AUTH_UNAUTHENTICATED',
        `AuthGuard cannot authenticate this "${context.getType()}" context; mark the handler @Public() or guard it yourself.`,
      );
      throw context.getType() === 'ws' ? await asWsException(denied) : denied;
    }
    if (target.kind === 'http' && this.enforce?.isExcluded(requestUrl(target.request))) return true;
    try {
      const user = await this.authenticateTarget(target).catch((error: unknown) => {
        throw this.enforcedFailure(target, asDependencyError(error));
      });
      setUser(target.request, user);
      this.authorize(user, context);
      return true;
    } catch (error) {
      throw target.kind === 'ws' ? await asWsException(error) : error;
    }
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
    // RFC 9470: after roles and scopes, so a step-up is only asked of a user who may use the route.
    const stepUp = this.reflector.getAllAndOverride<StepUpRequirement | undefined>(STEP_UP_KEY, targets);
    const shortfall = stepUp && stepUpShortfall(user, stepUp);
    if (stepUp && shortfall) {
      const request = context.getType() === 'http' ? context.switchToHttp().getRequest<AuthRequest>() : undefined;
      const redirect = request && this.stepUpRedirect(user, stepUp, request);
      if (redirect) throw new LoginRedirectError(redirect);
      throw new StepUpRequiredError(`Stronger or more recent authentication needed: ${shortfall}.`, stepUp.acrValues, stepUp.maxAgeSeconds);
    }
  }

  /**
   * A browser page view (GET/HEAD, `Accept: text/html`) of a session that falls short goes back to
   * the provider's login with `acr_values` / `max_age`, and returns to the page afterwards. Not when
   * there is nothing to ask the provider for (`@RequireMfa()` alone: `amr` cannot be requested),
   * and not when this session's login already asked for these `acr_values` and the provider did not
   * deliver them: asking again would loop. Those get the 401 with the challenge instead.
   */
  protected stepUpRedirect(user: AuthUser, stepUp: StepUpRequirement, request: AuthRequest): string | undefined {
    if (user.via !== 'session' || this.routePrefix === null || !isPageView(request)) return undefined;
    if (!stepUp.acrValues?.length && stepUp.maxAgeSeconds === undefined) return undefined;
    const authentication: SessionAuthentication | undefined = user.authentication;
    const requested = authentication?.requestedAcr;
    if (stepUp.acrValues?.length && requested && stepUp.acrValues.every((acr) => requested.includes(acr))) return undefined;
    return stepUpLoginUrl(`/${this.routePrefix}/login`, requestUrl(request), { acrValues: stepUp.acrValues, maxAge: stepUp.maxAgeSeconds });
  }

  /** Enforce mode sends an anonymous browser page view to the login, back here afterwards. */
  private enforcedFailure({ kind, request }: AuthTarget, error: unknown): unknown {
    if (!this.enforce || kind !== 'http' || !(error instanceof UnauthenticatedError) || error.code !== 'AUTH_UNAUTHENTICATED') return error;
    if (!isPageView(request)) return error;
    return new LoginRedirectError(`${this.enforce.loginPath}?returnTo=${encodeURIComponent(requestUrl(request))}`);
  }

  private async authenticateTarget({ kind, request }: AuthTarget): Promise<AuthUser> {
    // A WebSocket's upgrade request lives as long as the connection: every message is checked
    // again (a revoked session or an expired token stops working mid-connection).
    if (kind === 'ws') return this.authenticator.authenticateUpgrade(request);
    // Global and per-route AuthGuard (or several GraphQL resolvers of one operation) on one
    // request authenticate once.
    const memo = request as AuthRequest & { [AUTHENTICATED]?: Promise<AuthUser> };
    memo[AUTHENTICATED] ??= this.authenticator.authenticate(request);
    return memo[AUTHENTICATED];
  }
}

/** A browser navigating to a page (GET/HEAD, `Accept: text/html`): it can follow a redirect to the login. */
function isPageView(request: AuthRequest): boolean {
  const accept = request.headers.accept;
  return (request.method === 'GET' || request.method === 'HEAD') && typeof accept === 'string' && accept.includes('text/html');
}

/** The path and query as the client sent them (Express keeps it in `originalUrl` under a mount). */
function requestUrl(request: AuthRequest): string {
  const original = (request as { originalUrl?: unknown }).originalUrl;
  return typeof original === 'string' ? original : (request.url ?? '/');
}
