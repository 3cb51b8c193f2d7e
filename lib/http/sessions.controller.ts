import { Controller, Delete, Get, HttpCode, Inject, Param, Req, Res, UseGuards, type Type } from '@nestjs/common';
import { AuditLogService } from '../audit/audit-log.service.js';
import { SESSION_SETTINGS } from '../auth.tokens.js';
import { CurrentUser } from '../decorators/current-user.decorator.js';
import { SessionRequestError, UnauthenticatedError } from '../errors/auth-error.js';
import { asDependencyError } from '../errors/dependency-errors.js';
import { AuthGuard } from '../guards/auth.guard.js';
import type { SessionSettings } from '../options/resolved-auth-options.js';
import { SessionRevocationService } from '../session/session-revocation.service.js';
import type { SessionSummary } from '../session/session-views.js';
import { csrfTokenFor } from '../session/csrf-token.js';
import type { HttpRequest as Request } from './http-types.js';
import { asHttpResponse } from './http-response.adapter.js';
import type { AuthUser } from '../users/auth-user.js';

/**
 * Session management for the signed-in user: `GET <prefix>/sessions`, `DELETE <prefix>/sessions/:id`
 * and `DELETE <prefix>/sessions` (every session but the current one). Ids are opaque handles.
 * `GET <prefix>/csrf` gives the session's anti-CSRF token.
 * A revoked session is deleted from the store and dropped from every replica's cache within 1 s.
 */
export function createSessionsController(routePrefix: string): Type<unknown> {
  @Controller(routePrefix)
  @UseGuards(AuthGuard)
  class SessionsController {
    constructor(
      private readonly sessions: SessionRevocationService,
      @Inject(SESSION_SETTINGS) private readonly settings: SessionSettings,
      private readonly audit: AuditLogService,
    ) {}

    /** The session's anti-CSRF token, for the `x-csrf-token` header of unsafe requests. */
    @Get('csrf')
    csrf(@CurrentUser() user: AuthUser, @Res({ passthrough: true }) reply: unknown): { token: string } {
      const res = asHttpResponse(reply);
      res.setHeader('Cache-Control', 'no-store');
      if (user.via !== 'session' || !user.sessionKey) {
        throw new UnauthenticatedError('AUTH_SESSION_INVALID', 'Only a browser session has an anti-CSRF token; bearer requests need none.');
      }
      return { token: csrfTokenFor(this.settings.secret, user.sessionKey) };
    }

    @Get('sessions')
    async list(@CurrentUser() user: AuthUser): Promise<SessionSummary[]> {
      return this.sessions.listForUser(user.id, user.sessionKey).catch(rethrow);
    }

    @Delete('sessions/:id')
    @HttpCode(204)
    async revokeOne(@CurrentUser() user: AuthUser, @Param('id') id: string, @Req() req: Request): Promise<void> {
      if (!(await this.sessions.revokeForUser(user.id, id).catch(rethrow))) {
        throw new SessionRequestError('AUTH_SESSION_NOT_FOUND', 'You have no session with this id.');
      }
      this.audit.record({ event: 'session_revoked', userId: user.id, details: { session: id, sessions: 1 } }, req);
    }

    @Delete('sessions')
    @HttpCode(204)
    async revokeOthers(@CurrentUser() user: AuthUser, @Req() req: Request): Promise<void> {
      const ended = await this.sessions.revokeAllForUser(user.id, user.sessionKey).catch(rethrow);
      this.audit.record({ event: 'session_revoked', userId: user.id, details: { sessions: ended, allOthers: true } }, req);
    }
  }
  return SessionsController;
}

function rethrow(error: unknown): never {
  throw asDependencyError(error);
}
