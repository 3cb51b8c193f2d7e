import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Query, Req, Res, UseGuards, type Type } from '@nestjs/common';
import { AuditLogService } from '../audit/audit-log.service.js';
import { LOGIN_SETTINGS } from '../auth.tokens.js';
import { CurrentUser } from '../decorators/current-user.decorator.js';
import { UnauthenticatedError } from '../errors/auth-error.js';
import { asDependencyError } from '../errors/dependency-errors.js';
import { AuthGuard } from '../guards/auth.guard.js';
import { writeLoginBinding } from '../login/login-binding.js';
import { LoginFlowService } from '../login/login-flow.service.js';
import type { LoginSettings } from '../options/resolved-auth-options.js';
import { ProviderRegistry } from '../provider/provider-registry.service.js';
import { AuthRateLimitGuard } from '../rate-limit/auth-rate-limit.guard.js';
import { SessionRevocationService } from '../session/session-revocation.service.js';
import { AuthIdentitiesService, type LinkedIdentity } from '../users/auth-identities.service.js';
import type { AuthUser } from '../users/auth-user.js';
import type { HttpRequest as Request } from './http-types.js';
import { asHttpResponse } from './http-response.adapter.js';

/**
 * Account linking for the signed-in user: `POST <prefix>/link/:slug` (a session; CSRF token as
 * for every cookie-authenticated change; rate limited like the login) answers the provider's
 * authorization URL, whose callback adds the identity the provider verified to this user;
 * `GET <prefix>/identities` lists them; `DELETE <prefix>/identities/:id` removes one (never the last).
 */
export function createIdentitiesController(routePrefix: string): Type<unknown> {
  @Controller(routePrefix)
  @UseGuards(AuthGuard)
  class IdentitiesController {
    constructor(
      private readonly loginFlow: LoginFlowService,
      private readonly providers: ProviderRegistry,
      private readonly identities: AuthIdentitiesService,
      private readonly revocation: SessionRevocationService,
      private readonly audit: AuditLogService,
      @Inject(LOGIN_SETTINGS) private readonly login: LoginSettings,
    ) {}

    @UseGuards(AuthRateLimitGuard)
    @Post('link/:slug')
    @HttpCode(200)
    async link(
      @CurrentUser() user: AuthUser,
      @Param('slug') slug: string,
      @Req() req: Request,
      @Res({ passthrough: true }) reply: unknown,
      @Body() body: Record<string, unknown> | undefined,
      @Query('returnTo') returnTo: unknown,
    ): Promise<{ redirectUrl: string }> {
      const res = asHttpResponse(reply);
      res.setHeader('Cache-Control', 'no-store');
      // The callback must come back to a browser that is signed in as this user.
      if (user.via !== 'session') throw new UnauthenticatedError('AUTH_SESSION_INVALID', 'Linking an account needs a browser session.');
      const provider = this.providers.forLogin(slug);
      const { url, binding } = await this.loginFlow.start(req, returnTo ?? body?.returnTo, undefined, provider, user.id).catch(rethrow);
      writeLoginBinding(res, this.login.bindingCookie, binding);
      return { redirectUrl: url };
    }

    @Get('identities')
    async list(@CurrentUser() user: AuthUser, @Res({ passthrough: true }) reply: unknown): Promise<LinkedIdentity[]> {
      asHttpResponse(reply).setHeader('Cache-Control', 'no-store');
      return this.identities.list(user.id).catch(rethrow);
    }

    @Delete('identities/:id')
    @HttpCode(204)
    async unlink(@CurrentUser() user: AuthUser, @Param('id') id: string, @Req() req: Request): Promise<void> {
      const removed = await this.identities.unlink(user.id, id).catch(rethrow);
      // Sessions that came from the removed identity end with it.
      await this.revocation.destroyForProvider(removed.issuer, { sub: removed.subject }).catch(rethrow);
      this.audit.record({ event: 'unlink', userId: user.id, provider: removed.provider, details: { identity: id } }, req);
    }
  }
  return IdentitiesController;
}

function rethrow(error: unknown): never {
  throw asDependencyError(error);
}
