import { Inject, Injectable } from '@nestjs/common';
import type { HttpRequest as Request } from '../http/http-types.js';
import { LOGIN_SETTINGS, SESSION_SETTINGS } from '../auth.tokens.js';
import { ForbiddenError, UnauthenticatedError } from '../errors/auth-error.js';
import { readCookie } from '../http/cookies.js';
import type { LoginSettings, SessionSettings } from '../options/resolved-auth-options.js';
import { ProviderRegistry } from '../provider/provider-registry.service.js';
import { isCrossSite } from '../http/same-origin.js';
import { AuthSessionService } from '../session/auth-session.service.js';
import { isValidCsrfToken } from '../session/csrf-token.js';
import { SessionTokensService } from '../session/session-tokens.service.js';
import { TokenIntrospectionService } from '../tokens/token-introspection.service.js';
import { unverifiedIssuer } from '../tokens/unverified-issuer.js';
import { authenticationEvent, extractScopes } from '../tokens/claims.js';
import type { AuthUser } from '../users/auth-user.js';
import { bearerRoles } from '../users/bearer-roles.js';
import { BearerUserCache } from '../users/bearer-user.cache.js';
import { claimsToProfile } from '../users/claims-to-profile.js';
import type { UserProfile } from '../users/claims-mapper.interface.js';
import { UserAccountsService } from '../users/user-accounts.service.js';
import type { AuthRequest } from './auth-context.js';

/**
 * Turns a request into an `AuthUser`: a bearer token in the `Authorization` header (only
 * there: never a query string or form field) or else the session cookie. Both give the same shape.
 * Cookie-authenticated unsafe methods (POST, PUT, PATCH, DELETE) must come from the app's origin.
 */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

@Injectable()
export class RequestAuthenticator {
  constructor(
    @Inject(SESSION_SETTINGS) private readonly sessionSettings: SessionSettings,
    @Inject(LOGIN_SETTINGS) private readonly login: LoginSettings,
    private readonly providers: ProviderRegistry,
    private readonly sessions: AuthSessionService,
    private readonly sessionTokens: SessionTokensService,
    private readonly users: UserAccountsService,
    private readonly bearerUsers: BearerUserCache,
    private readonly introspection: TokenIntrospectionService,
  ) {}

  /**
   * The profile and scopes derived from a verified claims set. The verified-token cache hands
   * back the same claims object for a repeated token, so its mapping runs once.
   */
  private readonly mapped = new WeakMap<object, { profile: UserProfile; scopes: string[] }>();

  /** Accepts an Express or Fastify request, or Node's IncomingMessage: only headers and method are read. */
  async authenticate(request: AuthRequest): Promise<AuthUser> {
    const req = request as Request;
    const authorization = req.headers.authorization;
    if (authorization !== undefined) return this.fromBearer(authorization);
    const cookie = readCookie(req, this.sessionSettings.cookie.name);
    let session = await this.sessions.resolve(cookie);
    // An access token about to expire is refreshed here; roles may change with it.
    if (session && (await this.sessionTokens.keepFresh(session))) session = await this.sessions.resolve(cookie);
    if (!session) throw new UnauthenticatedError('AUTH_UNAUTHENTICATED', 'Sign in, or send a bearer token.');
    // Cookies ride along on cross-site requests: state changes must come from our own pages.
    if (!SAFE_METHODS.has(req.method) && isCrossSite(req, this.login.appOrigin)) {
      throw new ForbiddenError('AUTH_CROSS_SITE_REQUEST', 'A cookie-authenticated change must come from this site.');
    }
    // Synchronizer token: also when a browser sends neither Origin nor Referer.
    if (!SAFE_METHODS.has(req.method) && !isValidCsrfToken(this.sessionSettings.secret, session.idHash, req.headers['x-csrf-token'])) {
      throw new ForbiddenError('AUTH_CSRF_TOKEN_INVALID', 'A cookie-authenticated change needs the header x-csrf-token (GET /auth/csrf).');
    }
    const { user } = session;
    return {
      id: user.id,
      sub: session.subject,
      issuer: session.issuer,
      email: user.email,
      displayName: user.displayName,
      avatarUrl: user.avatarUrl,
      roles: session.roles,
      scopes: session.scopes,
      via: 'session',
      sessionKey: session.idHash,
      ...(session.authentication ? { authentication: session.authentication } : {}),
    };
  }

  private async fromBearer(authorization: string): Promise<AuthUser> {
    const match = /^Bearer +(\S+)$/i.exec(authorization);
    if (!match) throw new UnauthenticatedError('AUTH_TOKEN_INVALID', 'The Authorization header must be "Bearer <JWT>".');
    const token = match[1];
    // Opaque tokens (not a JWT's three parts) go to the provider when introspection is on.
    const opaque = this.introspection.enabled && token.split('.').length !== 3;
    // Several trusted issuers: the token's (unverified) `iss` only picks which one verifies it,
    // with that issuer's keys and audience. An issuer we do not know costs no network call.
    const provider = opaque || !this.providers.several ? this.providers.default : this.providers.byIssuer(unverifiedIssuer(token));
    if (!provider) throw new UnauthenticatedError('AUTH_TOKEN_INVALID', 'Bearer token rejected (its issuer is not trusted here)');
    const claims = opaque ? await this.introspection.introspect(token) : await provider.accessTokens.verify(token);
    let mapped = this.mapped.get(claims);
    if (!mapped)
      this.mapped.set(claims, (mapped = { profile: claimsToProfile(claims, provider.tokens.rolesPath), scopes: extractScopes(claims) }));
    const { profile } = mapped;
    const user = await this.bearerUsers.get(provider.issuer, claims.sub, () =>
      this.users.findOrCreate(provider.issuer, claims.sub, profile, typeof claims.iat === 'number' ? claims.iat : undefined, {
        provider: provider.slug,
        rules: provider.provisioning,
        emailVerified: claims.email_verified === true,
      }),
    );
    if (!user.active) throw new ForbiddenError('AUTH_USER_INACTIVE', 'This account is deactivated at the identity provider.');
    return {
      id: user.id,
      sub: claims.sub,
      issuer: provider.issuer,
      email: profile.email ?? user.email,
      displayName: profile.displayName ?? user.displayName,
      avatarUrl: profile.avatarUrl ?? user.avatarUrl,
      roles: bearerRoles([...profile.roles], claims.iat, user),
      scopes: [...mapped.scopes],
      authentication: authenticationEvent(claims),
      via: 'bearer',
    };
  }

  /**
   * A WebSocket upgrade request (a GET, so no CSRF token): browsers send cookies on cross-site
   * WebSocket handshakes, so a cookie-authenticated one must come from the app's own origin
   * (cross-site WebSocket hijacking). Bearer clients are not affected.
   */
  async authenticateUpgrade(request: AuthRequest): Promise<AuthUser> {
    const user = await this.authenticate(request);
    const origin = request.headers.origin;
    if (user.via === 'session' && (typeof origin !== 'string' || origin !== this.login.appOrigin)) {
      throw new ForbiddenError('AUTH_CROSS_SITE_REQUEST', 'A cookie-authenticated WebSocket must be opened from this site.');
    }
    return user;
  }
}
