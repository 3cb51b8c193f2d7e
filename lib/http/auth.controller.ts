import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, Req, Res, UseGuards, type Type } from '@nestjs/common';
import { decodeJwt } from 'jose';
import { AuditLogService } from '../audit/audit-log.service.js';
import { AuthGuard } from '../guards/auth.guard.js';
import type { HttpRequest as Request, HttpResponse as Response } from './http-types.js';
import { asHttpResponse } from './http-response.adapter.js';
import { LOGIN_SETTINGS, SESSION_SETTINGS } from '../auth.tokens.js';
import { CurrentUser } from '../decorators/current-user.decorator.js';
import { Public } from '../decorators/public.decorator.js';
import { ForbiddenError, SessionRequestError } from '../errors/auth-error.js';
import { asDependencyError } from '../errors/dependency-errors.js';
import { LoginFlowService } from '../login/login-flow.service.js';
import type { LoginSettings, SessionSettings } from '../options/resolved-auth-options.js';
import { AuthSessionService } from '../session/auth-session.service.js';
import { LogoutLinkStore } from '../session/logout-link.store.js';
import { BackchannelLogoutService } from '../session/backchannel-logout.service.js';
import type { AuthUser } from '../users/auth-user.js';
import { clearSessionCookie, readCookie, writeSessionCookie } from './cookies.js';
import { isCrossSite } from './same-origin.js';
import { writeLoginBinding } from '../login/login-binding.js';
import { AuthRateLimitGuard } from '../rate-limit/auth-rate-limit.guard.js';
import { stepUpFromQuery } from '../login/step-up-params.js';
import type { LoginStepUp } from '../login/oidc-login.strategy.js';
import { ProviderRegistry, type ProviderSummary } from '../provider/provider-registry.service.js';

/** What `GET <prefix>/me` answers. */
export interface MeResponse {
  id: string;
  sub: string;
  email: string | null;
  displayName: string | null;
  avatarUrl: string | null;
  roles: string[];
}

/** The login routes. Built per route prefix (an extra of `forRoot`), so the path is static. */
export function createAuthController(routePrefix: string): Type<unknown> {
  @Controller(routePrefix)
  class AuthController {
    constructor(
      private readonly loginFlow: LoginFlowService,
      private readonly sessions: AuthSessionService,
      private readonly backchannel: BackchannelLogoutService,
      private readonly logoutLinks: LogoutLinkStore,
      private readonly audit: AuditLogService,
      private readonly providers: ProviderRegistry,
      @Inject(LOGIN_SETTINGS) private readonly login: LoginSettings,
      @Inject(SESSION_SETTINGS) private readonly sessionSettings: SessionSettings,
    ) {}

    /** The providers a user can sign in with, in configuration order (bearer-only issuers are not listed). */
    @Public()
    @Get('providers')
    listProviders(): ProviderSummary[] {
      return this.providers.summaries();
    }

    @Public()
    @UseGuards(AuthRateLimitGuard)
    @Get('login')
    async startLogin(
      @Req() req: Request,
      @Res() reply: unknown,
      @Query('returnTo') returnTo: unknown,
      @Query('acr_values') acrValues: unknown,
      @Query('max_age') maxAge: unknown,
    ): Promise<void> {
      // acr_values / max_age: a step-up (RFC 9470) the guard asked for; harmless from anyone else.
      await this.redirectToProvider(req, asHttpResponse(reply), returnTo, undefined, stepUpFromQuery(acrValues, maxAge));
    }

    @Public()
    @UseGuards(AuthRateLimitGuard)
    @Get('login/:slug')
    async startLoginAt(
      @Req() req: Request,
      @Res() reply: unknown,
      @Param('slug') slug: string,
      @Query('returnTo') returnTo: unknown,
      @Query('acr_values') acrValues: unknown,
      @Query('max_age') maxAge: unknown,
    ): Promise<void> {
      await this.redirectToProvider(req, asHttpResponse(reply), returnTo, slug, stepUpFromQuery(acrValues, maxAge));
    }

    @Public()
    @UseGuards(AuthRateLimitGuard)
    @Get('callback')
    async completeLogin(@Req() req: Request, @Res() reply: unknown): Promise<void> {
      await this.completeAt(req, asHttpResponse(reply), undefined);
    }

    @Public()
    @UseGuards(AuthRateLimitGuard)
    @Get('callback/:slug')
    async completeLoginAt(@Req() req: Request, @Res() reply: unknown, @Param('slug') slug: string): Promise<void> {
      await this.completeAt(req, asHttpResponse(reply), slug);
    }

    private async redirectToProvider(
      req: Request,
      res: Response,
      returnTo: unknown,
      slug: string | undefined,
      stepUp: LoginStepUp | undefined,
    ): Promise<void> {
      const provider = this.providers.forLogin(slug);
      const { url, binding } = await this.loginFlow.start(req, returnTo, stepUp, provider).catch(rethrowAsDependency);
      writeLoginBinding(res, this.login.bindingCookie, binding);
      res.setHeader('Cache-Control', 'no-store');
      res.redirect(302, url);
    }

    private async completeAt(req: Request, res: Response, slug: string | undefined): Promise<void> {
      const login = await this.loginFlow.complete(req, slug).catch(rethrowAsDependency);
      if (login.sessionCookie !== undefined)
        writeSessionCookie(res, this.sessionSettings.cookie, login.sessionCookie, this.sessionSettings.absoluteTimeoutMs);
      res.setHeader('Cache-Control', 'no-store');
      res.redirect(302, login.returnTo);
    }

    /**
     * Destroys the session. `logoutUrl` is a one-time link of ours (`logout/end?t=…`) that
     * redirects to the provider's end-session endpoint with `id_token_hint` added server-side:
     * the ID token never reaches page JavaScript or browser history. Null when the provider has
     * no end-session endpoint (or cannot be reached) or there was no live session.
     */
    @Public()
    @Post('logout')
    @HttpCode(200)
    async logout(@Req() req: Request, @Res({ passthrough: true }) reply: unknown): Promise<{ logoutUrl: string | null }> {
      const res = asHttpResponse(reply);
      if (isCrossSite(req, this.login.appOrigin)) {
        throw new ForbiddenError('AUTH_CROSS_SITE_REQUEST', 'Logout must come from this site.');
      }
      clearSessionCookie(res, this.sessionSettings.cookie);
      res.setHeader('Cache-Control', 'no-store');
      const cookie = readCookie(req, this.sessionSettings.cookie.name);
      // Which provider the session came from decides whose end-session endpoint applies.
      const live = await this.sessions.resolve(cookie).catch(rethrowAsDependency);
      const ended = await this.sessions.end(cookie).catch(rethrowAsDependency);
      if (ended)
        this.audit.record(
          { event: 'logout', userId: ended.userId, provider: (this.providers.byIssuer(live?.issuer) ?? this.providers.default).slug },
          req,
        );
      if (!ended || !live || !(await this.loginFlow.endSessionUrl(live.issuer, undefined))) return { logoutUrl: null };
      const handle = await this.logoutLinks.create(ended.idToken).catch(rethrowAsDependency);
      const link = new URL('logout/end', this.login.routesBaseUrl);
      link.searchParams.set('t', handle);
      return { logoutUrl: link.href };
    }

    /** The one-time logout link: spends the handle, then 302 to the provider's end-session URL. */
    @Public()
    @Get('logout/end')
    async endAtProvider(@Query('t') handle: unknown, @Res() reply: unknown): Promise<void> {
      const res = asHttpResponse(reply);
      res.setHeader('Cache-Control', 'no-store');
      res.setHeader('Referrer-Policy', 'no-referrer');
      const link = await this.logoutLinks.consume(handle).catch(rethrowAsDependency);
      if (!link)
        throw new SessionRequestError('AUTH_LOGOUT_LINK_INVALID', 'This logout link is unknown, used or expired; you are signed out here.');
      // The provider became unreachable since: the local session is gone, send the user home.
      // The stored ID token (verified when it was stored) names the provider the session came from.
      const issuer = issuerOf(link.idToken) ?? this.providers.default.issuer;
      const provider = this.providers.byIssuer(issuer) ?? this.providers.default;
      res.redirect(302, (await this.loginFlow.endSessionUrl(issuer, link.idToken)) ?? provider.login.postLogoutRedirectUrl);
    }

    /**
     * OpenID Connect Back-Channel Logout: the provider ends sessions server to server. A bad or
     * replayed token gets 400 (§2.8) and ends nothing; `Cache-Control: no-store` on every answer.
     */
    @Public()
    @Post('backchannel-logout')
    @HttpCode(200)
    async backchannelLogout(@Body() body: Record<string, unknown> | undefined, @Res({ passthrough: true }) reply: unknown): Promise<void> {
      const res = asHttpResponse(reply);
      res.setHeader('Cache-Control', 'no-store');
      await this.backchannel.handle(body?.logout_token).catch(rethrowAsDependency);
    }

    @UseGuards(AuthGuard)
    @Get('me')
    me(@CurrentUser() user: AuthUser): MeResponse {
      return { id: user.id, sub: user.sub, email: user.email, displayName: user.displayName, avatarUrl: user.avatarUrl, roles: user.roles };
    }
  }
  return AuthController;
}

function issuerOf(idToken: string | undefined): string | undefined {
  if (!idToken) return undefined;
  try {
    const { iss } = decodeJwt(idToken);
    return typeof iss === 'string' ? iss : undefined;
  } catch {
    return undefined;
  }
}

function rethrowAsDependency(error: unknown): never {
  throw asDependencyError(error);
}
