import { Controller, Get, HttpCode, Inject, Post, Req, Res, UseGuards, type Type } from '@nestjs/common';
import { decodeJwt } from 'jose';
import { SESSION_SETTINGS } from '../auth.tokens.js';
import { CurrentUser } from '../decorators/current-user.decorator.js';
import { AuthError, FeatureUnavailableError, SessionRequestError, UnauthenticatedError } from '../errors/auth-error.js';
import { asDependencyError } from '../errors/dependency-errors.js';
import { AuthGuard } from '../guards/auth.guard.js';
import type { SessionSettings } from '../options/resolved-auth-options.js';
import { AuthSessionService } from '../session/auth-session.service.js';
import { SessionTokensService } from '../session/session-tokens.service.js';
import { TokenIntrospectionService } from '../tokens/token-introspection.service.js';
import type { AuthUser } from '../users/auth-user.js';
import { clearSessionCookie, readCookie } from './cookies.js';
import type { HttpRequest as Request } from './http-types.js';
import { asHttpResponse } from './http-response.adapter.js';

/**
 * For single-page apps behind the backend-for-frontend: `GET <prefix>/claims` shows the claims of
 * the session's access token (never the token), `POST <prefix>/refresh` refreshes it now.
 */
export function createSessionTokensController(routePrefix: string): Type<unknown> {
  @Controller(routePrefix)
  @UseGuards(AuthGuard)
  class SessionTokensController {
    constructor(
      private readonly sessions: AuthSessionService,
      private readonly sessionTokens: SessionTokensService,
      private readonly introspection: TokenIntrospectionService,
      @Inject(SESSION_SETTINGS) private readonly settings: SessionSettings,
    ) {}

    /**
     * The claims of the session's access token, refreshed first when due. A JWT is decoded (it came
     * straight from the provider's token endpoint to this server); an opaque token is introspected
     * when introspection is on, else 404 `AUTH_CLAIMS_UNAVAILABLE`.
     */
    @Get('claims')
    async claims(@CurrentUser() user: AuthUser, @Res({ passthrough: true }) reply: unknown): Promise<Record<string, unknown>> {
      const res = asHttpResponse(reply);
      res.setHeader('Cache-Control', 'no-store');
      const token = await this.sessionTokens.accessToken(sessionUser(user)).catch(rethrow);
      if (token.split('.').length === 3) {
        try {
          return decodeJwt(token);
        } catch {
          // An opaque token that happens to hold two dots: treated as opaque below.
        }
      }
      if (!this.introspection.enabled) {
        throw new FeatureUnavailableError(
          'AUTH_CLAIMS_UNAVAILABLE',
          'The access token is opaque; turn on introspection to read its claims.',
        );
      }
      return this.introspection.introspect(token);
    }

    /**
     * Refreshes the session's access token now (CSRF rules apply: a cookie-authenticated POST).
     * `{expiresAt}`: the new token's expiry (ISO 8601, null when the provider did not say). A
     * refusal ends the session: 401 `AUTH_SESSION_REFRESH_FAILED` and the cookie cleared. A
     * session without refresh token: 409 `AUTH_SESSION_NOT_REFRESHABLE`, the session unchanged.
     */
    @Post('refresh')
    @HttpCode(200)
    async refresh(
      @CurrentUser() user: AuthUser,
      @Req() req: Request,
      @Res({ passthrough: true }) reply: unknown,
    ): Promise<{ expiresAt: string | null }> {
      const res = asHttpResponse(reply);
      res.setHeader('Cache-Control', 'no-store');
      const cookie = readCookie(req, this.settings.cookie.name);
      const before = await this.sessions.resolve(cookie).catch(rethrow);
      if (!before || before.idHash !== sessionUser(user).sessionKey)
        throw new UnauthenticatedError('AUTH_SESSION_INVALID', 'The session has ended.');
      if (!before.refreshable)
        throw new SessionRequestError(
          'AUTH_SESSION_NOT_REFRESHABLE',
          'This session holds no refresh token; sign in again when it expires.',
        );
      try {
        await this.sessionTokens.accessToken(user, { forceRefresh: true });
      } catch (error) {
        if (error instanceof AuthError && error.code === 'AUTH_SESSION_REFRESH_FAILED') clearSessionCookie(res, this.settings.cookie);
        rethrow(error);
      }
      const after = await this.sessions.resolve(cookie).catch(rethrow);
      return { expiresAt: after?.accessTokenExpiresAt?.toISOString() ?? null };
    }
  }
  return SessionTokensController;
}

function sessionUser(user: AuthUser): AuthUser & { sessionKey: string } {
  if (user.via !== 'session' || !user.sessionKey) {
    throw new UnauthenticatedError(
      'AUTH_SESSION_INVALID',
      'Only a browser session holds provider tokens; a bearer client has its token already.',
    );
  }
  return user as AuthUser & { sessionKey: string };
}

function rethrow(error: unknown): never {
  throw asDependencyError(error);
}
