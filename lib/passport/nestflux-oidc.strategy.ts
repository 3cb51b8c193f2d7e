import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { LOGIN_SETTINGS, SESSION_SETTINGS } from '../auth.tokens.js';
import { asDependencyError } from '../errors/dependency-errors.js';
import { RequestAuthenticator } from '../guards/request-authenticator.service.js';
import { writeSessionCookie } from '../http/cookies.js';
import type { HttpRequest, HttpResponse } from '../http/http-types.js';
import { writeLoginBinding } from '../login/login-binding.js';
import { LoginFlowService } from '../login/login-flow.service.js';
import type { LoginSettings, SessionSettings } from '../options/resolved-auth-options.js';
import { BrowserLoginStrategy, type BrowserLoginStep } from './browser-login.strategy.js';

/**
 * The browser login as the passport strategy `nestflux-oidc`: the module's own login flow
 * (openid-client's passport Strategy underneath: authorization code + PKCE + state + nonce, login
 * state in the database bound to the browser), with the same cookies as the module's routes.
 * On a host route guarded by `AuthGuard('nestflux-oidc')` a plain request is sent to the provider
 * (`?returnTo=` kept); the provider's answer signs the user in: session cookie set,
 * `request.user` the `AuthUser`, `request.authInfo.returnTo` where to go next.
 *
 * Express only: passport writes its redirect on a Node response, and the cookies are written on
 * Express's `req.res`.
 */
@Injectable()
export class NestfluxOidcStrategy extends PassportStrategy(BrowserLoginStrategy, 'nestflux-oidc') {
  constructor(
    private readonly loginFlow: LoginFlowService,
    private readonly authenticator: RequestAuthenticator,
    @Inject(LOGIN_SETTINGS) private readonly login: LoginSettings,
    @Inject(SESSION_SETTINGS) private readonly sessionSettings: SessionSettings,
  ) {
    super();
  }

  async validate(req: HttpRequest): Promise<BrowserLoginStep> {
    const res = responseOf(req);
    const query = (req.query ?? {}) as Record<string, unknown>;
    res.setHeader('Cache-Control', 'no-store');
    try {
      if (query.code === undefined && query.error === undefined) {
        const { url, binding } = await this.loginFlow.start(req, query.returnTo);
        writeLoginBinding(res, this.login.bindingCookie, binding);
        return { redirectTo: url };
      }
      const login = await this.loginFlow.complete(req);
      // A callback that linked an identity to the signed-in user keeps that user's session.
      if (login.sessionCookie === undefined) return { redirectTo: login.returnTo };
      writeSessionCookie(res, this.sessionSettings.cookie, login.sessionCookie, this.sessionSettings.absoluteTimeoutMs);
      // The user as every later request will see it: through the module's one authentication path.
      const cookie = `${this.sessionSettings.cookie.name}=${login.sessionCookie}`;
      const user = await this.authenticator.authenticate({ method: 'GET', headers: { cookie } });
      return { user, returnTo: login.returnTo };
    } catch (error) {
      throw asDependencyError(error);
    }
  }
}

function responseOf(req: HttpRequest): HttpResponse {
  const res = (req as { res?: HttpResponse }).res;
  if (typeof res?.cookie !== 'function') {
    throw new TypeError(
      "The nestflux-oidc passport strategy needs Express (request.res); on Fastify use the module's own /auth/login and /auth/callback routes.",
    );
  }
  return res;
}
