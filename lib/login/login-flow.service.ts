import { Inject, Injectable, Logger } from '@nestjs/common';
import type { HttpRequest as Request } from '../http/http-types.js';
import type { JWTPayload } from 'jose';
import * as client from 'openid-client';
import { LOGIN_SETTINGS, RESOLVED_AUTH_OPTIONS } from '../auth.tokens.js';
import { AuditLogService } from '../audit/audit-log.service.js';
import { AuthError, DependencyUnavailableError, ForbiddenError, LoginError } from '../errors/auth-error.js';
import type { LoginSettings, ResolvedAuthOptions } from '../options/resolved-auth-options.js';
import { OidcProviderClient } from '../provider/oidc-provider-client.service.js';
import { AuthSessionService } from '../session/auth-session.service.js';
import { AccessTokenVerifier } from '../tokens/access-token.verifier.js';
import { IdTokenVerifier } from '../tokens/id-token.verifier.js';
import { UserAccountsService } from '../users/user-accounts.service.js';
import { LoginProfileMapper } from '../users/login-profile.mapper.js';
import type { LoginEvent } from '../users/claims-mapper.interface.js';
import { LoginStateStore } from './login-state.store.js';
import { LOGIN_SESSION_KEY, OidcLoginStrategy, type LoginStepUp, type StrategyLoginData } from './oidc-login.strategy.js';
import { authenticationEvent } from '../tokens/claims.js';
import { loginFailure, providerRefusal, sanitisedProviderError } from './login-errors.js';
import { safeReturnTo } from './return-to.js';
import { runStrategy } from './run-strategy.js';
import { readCookie } from '../http/cookies.js';
import { bindingForNewLogin, hashLoginBinding, readLoginBinding } from './login-binding.js';

type TokenResponse = client.TokenEndpointResponse & client.TokenEndpointResponseHelpers;

/** A request carrying the `req.session` shim openid-client's strategy reads and writes. */
type StrategyRequest = Request & { session?: Record<string, StrategyLoginData | undefined> };

export interface StartedLogin {
  /** The provider's authorization URL. */
  url: string;
  /** The browser-binding cookie value to (re)set with the redirect. */
  binding: string;
}

export interface CompletedLogin {
  sessionCookie: string;
  returnTo: string;
  userId: string;
}

/** What a login got to know before it succeeded or failed, for its audit entry. */
interface LoginTrace {
  userId?: string;
}

/**
 * The browser login: authorization code + PKCE (S256) + state + nonce through openid-client's
 * passport Strategy. Login state lives in PostgreSQL, not in a cookie session.
 */
@Injectable()
export class LoginFlowService {
  private readonly logger = new Logger('NestfluxAuth');
  private strategy: { config: client.Configuration; strategy: OidcLoginStrategy } | undefined;

  constructor(
    @Inject(LOGIN_SETTINGS) private readonly settings: LoginSettings,
    @Inject(RESOLVED_AUTH_OPTIONS) private readonly options: ResolvedAuthOptions,
    private readonly provider: OidcProviderClient,
    private readonly states: LoginStateStore,
    private readonly idTokens: IdTokenVerifier,
    private readonly accessTokens: AccessTokenVerifier,
    private readonly profiles: LoginProfileMapper,
    private readonly users: UserAccountsService,
    private readonly sessions: AuthSessionService,
    private readonly audit: AuditLogService,
  ) {}

  /** Starts a login: stores state bound to this browser, returns the provider's authorization URL. */
  async start(req: Request, returnTo: unknown, stepUp?: LoginStepUp): Promise<StartedLogin> {
    // Building the URL needs no provider call: ask what we know of its health first, so a
    // browser is not sent to a provider that is down (503 instead).
    await this.provider.getReachable();
    const strategy = await this.getStrategy();
    const shimmed = req as StrategyRequest;
    shimmed.session = {};
    const outcome = await runStrategy(strategy, req, stepUp ? { stepUp } : {}).catch((error: unknown) => {
      throw loginFailure(error);
    });
    const data = shimmed.session[LOGIN_SESSION_KEY];
    if (outcome.kind !== 'redirect' || !data?.state || !data.nonce) {
      throw new DependencyUnavailableError('AUTH_PROVIDER_UNAVAILABLE', 'Could not build the authorization request.');
    }
    const binding = bindingForNewLogin(req, this.settings.bindingCookie);
    await this.states.save(
      { state: data.state, nonce: data.nonce, codeVerifier: data.code_verifier, maxAge: data.max_age ?? null, returnTo: safeReturnTo(returnTo),
        acrValues: stepUp?.acrValues?.length ? stepUp.acrValues.join(' ') : null },
      hashLoginBinding(binding),
      this.settings.loginStateTtlMs,
    );
    return { url: outcome.url, binding };
  }

  /**
   * Completes a login at the callback: verifies everything, creates the user and the session.
   * Every outcome is audited (`login`, with the error code of a failure).
   */
  async complete(req: Request): Promise<CompletedLogin> {
    const trace: LoginTrace = {};
    const provider = this.settings.issuer;
    try {
      const login = await this.completeLogin(req, trace);
      this.audit.record({ event: 'login', userId: login.userId, provider }, req);
      return login;
    } catch (error) {
      this.audit.recordFailure({ event: 'login', userId: trace.userId, provider }, error, req);
      throw error;
    }
  }

  private async completeLogin(req: Request, trace: LoginTrace): Promise<CompletedLogin> {
    const query = req.query as Record<string, unknown>;
    if (typeof query.code !== 'string' && typeof query.error !== 'string') {
      throw new LoginError('AUTH_LOGIN_STATE_INVALID', 'The callback carries neither a code nor an error.');
    }
    // The browser binding is checked with the state, before anything is spent: a callback URL
    // replayed in another browser (login CSRF, RFC 9700 §4.7) leaves the real login usable.
    const binding = readLoginBinding(req, this.settings.bindingCookie);
    const consumed = await this.states.consume(query.state, binding === undefined ? undefined : hashLoginBinding(binding));
    if (consumed.outcome === 'other-browser') {
      throw new LoginError('AUTH_LOGIN_BROWSER_MISMATCH', 'This login was started in another browser; start the login again here.');
    }
    if (consumed.outcome !== 'ok') throw new LoginError('AUTH_LOGIN_STATE_INVALID', 'Unknown, expired or already used login state; start the login again.');
    const login = consumed.login;

    const strategy = await this.getStrategy();
    const shimmed = req as StrategyRequest;
    shimmed.session = { [LOGIN_SESSION_KEY]: { code_verifier: login.codeVerifier, nonce: login.nonce, state: login.state, ...(login.maxAge !== null ? { max_age: login.maxAge } : {}) } };
    const outcome = await runStrategy(strategy, req).catch((error: unknown) => {
      const failure = loginFailure(error);
      if (failure.code === 'AUTH_PROVIDER_UNAVAILABLE') this.provider.reachability.failed();
      throw failure;
    });
    // The token endpoint answered (whatever it said): the provider is up.
    if (outcome.kind === 'success') this.provider.reachability.succeeded();
    if (outcome.kind !== 'success') {
      // openid-client's strategy turns `access_denied` into a failure whose message is the
      // callback's `error_description`: attacker-controlled text, so only a registered code is logged.
      this.logger.warn(`login: the provider refused the login (error=${sanitisedProviderError(typeof query.error === 'string' ? query.error : undefined)})`);
      throw providerRefusal();
    }
    const tokens = outcome.user as TokenResponse;
    const idClaims = await this.idTokens.verify(tokens.id_token, login.nonce);
    const claims = await this.collectClaims(idClaims, tokens);
    const profile = await this.profiles.map(claims);
    const user = await this.users.upsertAtLogin(this.settings.issuer, idClaims.sub!, profile);
    trace.userId = user.id;
    if (!user.active) throw new ForbiddenError('AUTH_USER_INACTIVE', 'This account is deactivated at the identity provider.');
    await this.runAfterLogin({ userId: user.id, issuer: this.settings.issuer, subject: idClaims.sub!, firstLogin: user.created === true, claims });

    await this.sessions.end(this.previousCookie(req)); // a new id at every login
    const expiresIn = tokens.expiresIn();
    const sessionCookie = await this.sessions.create({
      userId: user.id,
      issuer: this.settings.issuer,
      subject: idClaims.sub!,
      providerSid: typeof idClaims.sid === 'string' ? idClaims.sid : null,
      roles: profile.roles,
      scopes: typeof tokens.scope === 'string' ? tokens.scope.split(' ').filter(Boolean) : this.settings.scope.split(' '),
      idToken: tokens.id_token ?? null,
      accessToken: tokens.access_token ?? null,
      refreshToken: tokens.refresh_token ?? null,
      accessTokenExpiresAt: expiresIn !== undefined ? new Date(Date.now() + expiresIn * 1000) : null,
      authentication: { ...authenticationEvent(idClaims), ...(login.acrValues ? { requestedAcr: login.acrValues.split(' ') } : {}) },
      ip: req.ip ?? null,
      userAgent: typeof req.headers['user-agent'] === 'string' ? req.headers['user-agent'] : null,
    });
    this.logger.log(`login: user ${user.id} signed in`);
    return { sessionCookie, returnTo: login.returnTo, userId: user.id };
  }

  /** The host's hook; its own failures abort the login as a 401 rather than a 500. */
  private async runAfterLogin(event: LoginEvent): Promise<void> {
    if (!this.options.afterLogin) return;
    try {
      await this.options.afterLogin(event);
    } catch (error) {
      if (error instanceof AuthError) throw error;
      this.logger.error(`afterLogin hook failed: ${error instanceof Error ? error.message : String(error)}`);
      throw new LoginError('AUTH_LOGIN_FAILED', 'Login could not be completed.', { cause: error });
    }
  }

  /** The provider's end-session URL for RP-initiated logout, or null when it has none. */
  async endSessionUrl(idTokenHint: string | undefined): Promise<string | null> {
    try {
      const { config } = await this.provider.get();
      if (!config.serverMetadata().end_session_endpoint) return null;
      const params: Record<string, string> = { post_logout_redirect_uri: this.settings.postLogoutRedirectUrl, client_id: this.settings.clientId };
      if (idTokenHint) params.id_token_hint = idTokenHint;
      return client.buildEndSessionUrl(config, params).href;
    } catch {
      return null; // the local session is gone either way; the provider is just unreachable
    }
  }

  /** ID-token claims, then userinfo (if enabled), then a verifiable JWT access token's roles. */
  private async collectClaims(idClaims: JWTPayload, tokens: TokenResponse): Promise<Record<string, unknown>> {
    let claims: Record<string, unknown> = { ...idClaims };
    if (this.settings.fetchUserInfo && tokens.access_token) {
      const { config } = await this.provider.get();
      try {
        const info = await client.fetchUserInfo(config, tokens.access_token, idClaims.sub!);
        claims = { ...claims, ...info, sub: idClaims.sub };
      } catch (error) {
        throw loginFailure(error);
      }
    }
    if (tokens.access_token) {
      // Keycloak puts realm roles in the access token only: merge them when it verifies for us.
      const access = await this.accessTokens.verify(tokens.access_token).catch(() => undefined);
      if (access && access.sub === idClaims.sub) claims = { ...access, ...claims };
    }
    return claims;
  }

  private previousCookie(req: Request): string | undefined {
    return readCookie(req, this.options.session.cookie.name);
  }

  private async getStrategy(): Promise<OidcLoginStrategy> {
    const { config } = await this.provider.get();
    if (this.strategy?.config !== config) {
      this.strategy = {
        config,
        strategy: new OidcLoginStrategy(
          {
            config,
            scope: this.settings.scope,
            callbackURL: this.settings.redirectUri,
            sessionKey: LOGIN_SESSION_KEY,
            name: 'nestflux-oidc',
            ...(this.settings.resource ? { resource: this.settings.resource } : {}),
          },
          (tokens, done) => {
            done(null, tokens);
          },
        ),
      };
    }
    return this.strategy.strategy;
  }
}
