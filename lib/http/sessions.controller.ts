import { Controller, Delete, Get, HttpCode, Param, UseGuards, type Type } from '@nestjs/common';
import { CurrentUser } from '../decorators/current-user.decorator.js';
import { SessionRequestError } from '../errors/auth-error.js';
import { asDependencyError } from '../errors/dependency-errors.js';
import { AuthGuard } from '../guards/auth.guard.js';
import { AuthSessionService, type SessionSummary } from '../session/auth-session.service.js';
import type { AuthUser } from '../users/auth-user.js';

/**
 * Session management for the signed-in user: `GET <prefix>/sessions`, `DELETE <prefix>/sessions/:id`
 * and `DELETE <prefix>/sessions` (every session but the current one). Ids are opaque handles.
 * A revoked session's row is gone, so every replica refuses it on its next request.
 */
export function createSessionsController(routePrefix: string): Type<unknown> {
  @Controller(routePrefix)
  @UseGuards(AuthGuard)
  class SessionsController {
    constructor(private readonly sessions: AuthSessionService) {}

    @Get('sessions')
    async list(@CurrentUser() user: AuthUser): Promise<SessionSummary[]> {
      return this.sessions.listForUser(user.id, user.sessionKey).catch(rethrow);
    }

    @Delete('sessions/:id')
    @HttpCode(204)
    async revokeOne(@CurrentUser() user: AuthUser, @Param('id') id: string): Promise<void> {
      if (!(await this.sessions.revokeForUser(user.id, id).catch(rethrow))) {
        throw new SessionRequestError('AUTH_SESSION_NOT_FOUND', 'You have no session with this id.');
      }
    }

    @Delete('sessions')
    @HttpCode(204)
    async revokeOthers(@CurrentUser() user: AuthUser): Promise<void> {
      await this.sessions.revokeAllForUser(user.id, user.sessionKey).catch(rethrow);
    }
  }
  return SessionsController;
}

function rethrow(error: unknown): never {
  throw asDependencyError(error);
}
