import { Controller, Get, Inject, Query, Req, Res, type Type } from '@nestjs/common';
import { SESSION_SETTINGS } from '../auth.tokens.js';
import { Public } from '../decorators/public.decorator.js';
import { asDependencyError } from '../errors/dependency-errors.js';
import type { SessionSettings } from '../options/resolved-auth-options.js';
import { ProviderRegistry } from '../provider/provider-registry.service.js';
import { FrontchannelLogoutService } from '../session/frontchannel-logout.service.js';
import { clearSessionCookie, readCookie } from './cookies.js';
import type { HttpRequest as Request } from './http-types.js';
import { asHttpResponse } from './http-response.adapter.js';

const SIGNED_OUT_PAGE =
  '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Signed out</title></head><body><p>Signed out.</p></body></html>';

/** `GET <prefix>/frontchannel-logout?iss=…&sid=…`: OpenID Connect Front-Channel Logout 1.0. */
export function createFrontchannelLogoutController(routePrefix: string): Type<unknown> {
  @Controller(routePrefix)
  class FrontchannelLogoutController {
    constructor(
      private readonly frontchannel: FrontchannelLogoutService,
      @Inject(SESSION_SETTINGS) private readonly sessionSettings: SessionSettings,
      private readonly providers: ProviderRegistry,
    ) {}

    /**
     * Ends the sessions, then answers a tiny page the provider's iframe may show (§3: not cached;
     * framed only by the provider's origin). Errors are JSON 4xx, and end nothing.
     */
    @Public()
    @Get('frontchannel-logout')
    async logout(
      @Query('iss') iss: unknown,
      @Query('sid') sid: unknown,
      @Req() req: Request,
      @Res({ passthrough: true }) reply: unknown,
    ): Promise<string> {
      const res = asHttpResponse(reply);
      res.setHeader('Cache-Control', 'no-cache, no-store');
      res.setHeader('Pragma', 'no-cache');
      const cookie = readCookie(req, this.sessionSettings.cookie.name);
      await this.frontchannel.handle(iss, sid, cookie).catch((error: unknown) => {
        throw asDependencyError(error);
      });
      // The browser's own cookie, when it came along, is for a session that no longer exists.
      if (cookie !== undefined) clearSessionCookie(res, this.sessionSettings.cookie);
      res.setHeader('Content-Type', 'text/html; charset=utf-8');
      const framers = [...new Set(this.providers.all.filter((p) => p.loginEnabled).map((p) => new URL(p.issuer).origin))];
      res.setHeader('Content-Security-Policy', `default-src 'none'; frame-ancestors ${framers.join(' ')}`);
      return SIGNED_OUT_PAGE;
    }
  }
  return FrontchannelLogoutController;
}
