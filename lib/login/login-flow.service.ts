import { Inject, Injectable, Logger } from '@nestjs/common';
import type { HttpRequest as Request } from '../http/http-types.js';
import type { JWTPayload } from 'jose';
import * as client from 'openid-client';
import { LOGIN_SETTINGS, RESOLVED_AUTH_OPTIONS } from '../auth.tokens.js';
import { AuditLogService } from '../audit/audit-log.service.js';
import { AuthError, DependencyUnavailableError, ForbiddenError, LoginError, UnauthenticatedError } from '../errors/auth-error.js';
import { cleanEmailClaim } from '../tokens/claims.js';
import { AuthIdentitiesService } from '../users/auth-identities.service.js';
import type { LoginSettings, ResolvedAuthOptions } from '../options/resolved-auth-options.js';
import type { ConfiguredProvider } from '../provider/configured-provider.js';
import { ProviderRegistry } from '../provider/provider-registry.service.js';
import { AuthSessionService } from '../session/auth-session.service.js';
import { UserAccountsService } from '../users/user-accounts.service.js';
import { collectUserInfo } from './userinfo-claims.js';
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
  /** The new session's cookie value; undefined when the callback linked an identity (the session stays). */
  sessionCookie?: string;
  returnTo: string;
  userId: string;
}

/** What a login got to know before it succeeded or failed, for its audit entry. */
interface LoginTrace {
  userId?: string;
  /** The slug of the provider the login is at, once known. */
  provider?: string;
  /** The callback links an identity to a signed-in user (audited as `link`). */
  linking?: boolean;
}

/**
 * The browser login: authorization code + PKCE (S256) + state + nonce through openid-client's
 * passport Strategy. Login state lives in PostgreSQL, not in a cookie session.
 */
@Injectable()
export class LoginFlowService {
  private readonly logger = new Logger('NestfluxAuth');
  /** One strategy per provider slug, rebuilt when that provider is discovered anew. */
  private readonly strategies = new Map<string, { config: client.Configuration; strategy: OidcLoginStrategy }>();

  constructor(
    @Inject(LOGIN_SETTINGS) private readonly settings: LoginSettings,
    @Inject(RESOLVED_AUTH_OPTIONS) private readonly options: ResolvedAuthOptions,
    private readonly providers: ProviderRegistry,
    private readonly states: LoginStateStore,
    private readonly profiles: LoginProfileMapper,
    private readonly users: UserAccountsService,
    private readonly sessions: AuthSessionService,
    private readonly identities: AuthIdentitiesService,
    private readonly audit: AuditLogService,
  ) {}

  /**
   * Starts a login at `provider` (or, with `linkUserId`, the linking of that provider's identity
   * to this signed-in user; with `stepUp`, a step-up login): stores state bound to this browser
   * and to the provider, returns the provider's authorization URL.
   */
  async start(
    req: Request,
    returnTo: unknown,
    stepUp?: LoginStepUp,
    provider: ConfiguredProvider = this.providers.forLogin(),
    linkUserId: string | null = null,
  ): Promise<StartedLogin> {
    // Building the URL needs no provider call: ask what we know of its health first, so a
    // browser is not sent to a provider that is down (503 instead).
    await provider.client.getReachable();
    const strategy = await this.getStrategy(provider);
    // The strategy treats any POST as a callback: a link starts from `POST <prefix>/link/:slug`,
    // so it sees a GET view of the request (everything else read through the prototype).
    const shimmed = (
      req.method === 'GET' ? req : Object.create(req, { method: { value: 'GET' }, body: { value: undefined } })
    ) as StrategyRequest;
    shimmed.session = {};
    const outcome = await runStrategy(strategy, shimmed, stepUp ? { stepUp } : {}).catch((error: unknown) => {
      throw loginFailure(error);
    });
    const data = shimmed.session[LOGIN_SESSION_KEY];
    if (outcome.kind !== 'redirect' || !data?.state || !data.nonce) {
      throw new DependencyUnavailableError('AUTH_PROVIDER_UNAVAILABLE', 'Could not build the authorization request.');
    }
    const binding = bindingForNewLogin(req, this.settings.bindingCookie);
    await this.states.save(
      {
        state: data.state,
        nonce: data.nonce,
        codeVerifier: data.code_verifier,
        maxAge: data.max_age ?? null,
        returnTo: safeReturnTo(returnTo),
        acrValues: stepUp?.acrValues?.length ? stepUp.acrValues.join(' ') : null,
        provider: provider.slug,
        linkUserId,
      },
      hashLoginBinding(binding),
      this.settings.loginStateTtlMs,
    );
    return { url: outcome.url, binding };
  }

  /**
   * Completes a login at the callback of `routeSlug` (undefined: the unslugged callback, which
   * serves the default provider): verifies everything, creates the user and the session.
   * Every outcome is audited (`login` or `link`, with the error code of a failure; a refusal by
   * a provisioning rule also as `refused`, a new user as `provisioning`).
   */
  async complete(req: Request, routeSlug?: string): Promise<CompletedLogin> {
    // An unknown slug is a 404 before any state is spent (and is no login attempt to audit).
    const trace: LoginTrace = { provider: routeSlug === undefined ? undefined : this.providers.forLogin(routeSlug).slug };
    try {
      const login = await this.completeLogin(req, routeSlug, trace);
      this.audit.record({ event: trace.linking ? 'link' : 'login', userId: login.userId, provider: trace.provider }, req);
      return login;
    } catch (error) {
      const entry = { userId: trace.userId, provider: trace.provider ?? this.providers.default.slug };
      this.audit.recordFailure({ event: trace.linking ? 'link' : 'login', ...entry }, error, req);
      if (error instanceof AuthError && (error.code === 'AUTH_NOT_PROVISIONED' || error.code === 'AUTH_USER_INACTIVE')) {
        this.audit.recordFailure({ event: 'refused', ...entry }, error, req);
      }
      throw error;
    }
  }

  private async completeLogin(req: Request, routeSlug: string | undefined, trace: LoginTrace): Promise<CompletedLogin> {
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
    if (consumed.outcome !== 'ok')
      throw new LoginError('AUTH_LOGIN_STATE_INVALID', 'Unknown, expired or already used login state; start the login again.');
    const login = consumed.login;
    // The state names the provider the login started at: a code is only ever redeemed there and
    // its tokens verified with that provider's keys (a callback on another provider's route is
    // a mix-up, RFC 9700 §4.4).
    const provider = this.providers.all.find((candidate) => candidate.slug === login.provider);
    if (!provider || !provider.loginEnabled || provider.slug !== (routeSlug ?? this.providers.default.slug)) {
      throw new LoginError('AUTH_LOGIN_STATE_INVALID', 'This login was started at another provider; start the login again.');
    }
    trace.provider = provider.slug;

    const strategy = await this.getStrategy(provider);
    const shimmed = req as StrategyRequest;
    shimmed.session = {
      [LOGIN_SESSION_KEY]: {
        code_verifier: login.codeVerifier,
        nonce: login.nonce,
        state: login.state,
        ...(login.maxAge !== null ? { max_age: login.maxAge } : {}),
      },
    };
    const outcome = await runStrategy(strategy, req).catch((error: unknown) => {
      const failure = loginFailure(error);
      if (failure.code === 'AUTH_PROVIDER_UNAVAILABLE') provider.client.reachability.failed();
      throw failure;
    });
    // The token endpoint answered (whatever it said): the provider is up.
    if (outcome.kind === 'success') provider.client.reachability.succeeded();
    if (outcome.kind !== 'success') {
      // openid-client's strategy turns `access_denied` into a failure whose message is the
      // callback's `error_description`: attacker-controlled text, so only a registered code is logged.
      this.logger.warn(
        `login: the provider refused the login (error=${sanitisedProviderError(typeof query.error === 'string' ? query.error : undefined)})`,
      );
      throw providerRefusal();
    }
    const tokens = outcome.user as TokenResponse;
    const idClaims = await provider.idTokens.verify(tokens.id_token, login.nonce);
    const claims = await this.collectClaims(provider, idClaims, tokens);
    if (login.linkUserId !== null) {
      trace.linking = true;
      return this.completeLink(req, provider, login.linkUserId, idClaims.sub!, claims, login.returnTo, trace);
    }
    const profile = await this.profiles.map(claims, provider.tokens.rolesPath);
    const user = await this.users.upsertAtLogin(provider.issuer, idClaims.sub!, profile, {
      provider: provider.slug,
      rules: provider.provisioning,
      emailVerified: claims.email_verified === true,
    });
    trace.userId = user.id;
    if (user.created)
      this.audit.record(
        { event: 'provisioning', userId: user.id, provider: provider.slug, details: { invited: user.claimedInvite === true } },
        req,
      );
    if (!user.active) throw new ForbiddenError('AUTH_USER_INACTIVE', 'This account is deactivated at the identity provider.');
    await this.runAfterLogin({
      userId: user.id,
      issuer: provider.issuer,
      provider: provider.slug,
      subject: idClaims.sub!,
      firstLogin: user.created === true,
      claims,
    });

    await this.sessions.end(this.previousCookie(req)); // a new id at every login
    const expiresIn = tokens.expiresIn();
    const sessionCookie = await this.sessions.create({
      userId: user.id,
      issuer: provider.issuer,
      subject: idClaims.sub!,
      providerSid: typeof idClaims.sid === 'string' ? idClaims.sid : null,
      roles: profile.roles,
      scopes: typeof tokens.scope === 'string' ? tokens.scope.split(' ').filter(Boolean) : provider.login.scope.split(' '),
      idToken: tokens.id_token ?? null,
      accessToken: tokens.access_token ?? null,
      refreshToken: tokens.refresh_token ?? null,
      accessTokenExpiresAt: expiresIn !== undefined ? new Date(Date.now() + expiresIn * 1000) : null,
      authentication: { ...authenticationEvent(idClaims), ...(login.acrValues ? { requestedAcr: login.acrValues.split(' ') } : {}) },
      ip: req.ip ?? null,
      userAgent: typeof req.headers['user-agent'] === 'string' ? req.headers['user-agent'] : null,
    });
    this.logger.log(`login: user ${user.id} signed in with ${provider.slug}`);
    return { sessionCookie, returnTo: login.returnTo, userId: user.id };
  }

  /**
   * The callback of a link (`POST <prefix>/link/:slug`): the identity the provider just verified
   * joins the user who started it, who must still be signed in in this browser. The session
   * stays as it is; another user's identity is refused (409) and stays theirs.
   */
  private async completeLink(
    req: Request,
    provider: ConfiguredProvider,
    userId: string,
    subject: string,
    claims: Record<string, unknown>,
    returnTo: string,
    trace: LoginTrace,
  ): Promise<CompletedLogin> {
    trace.userId = userId;
    const current = await this.sessions.resolve(this.previousCookie(req));
    if (!current || current.user.id !== userId) {
      throw new UnauthenticatedError(
        'AUTH_SESSION_INVALID',
        'The account can only be linked while you are signed in as the user who asked; sign in and link again.',
      );
    }
    const email = cleanEmailClaim(claims.email) ?? null;
    await this.identities.link(userId, { provider: provider.slug, issuer: provider.issuer, subject, email });
    this.logger.log(`link: user ${userId} linked an identity at ${provider.slug}`);
    return { returnTo, userId };
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

  /**
   * The end-session URL for RP-initiated logout at the provider a session came from (its
   * issuer), or null when that provider has none (or is no longer configured).
   */
  async endSessionUrl(issuer: string, idTokenHint: string | undefined): Promise<string | null> {
    const provider = this.providers.byIssuer(issuer);
    if (!provider?.loginEnabled) return null;
    try {
      const { config } = await provider.client.get();
      if (!config.serverMetadata().end_session_endpoint) return null;
      const params: Record<string, string> = {
        post_logout_redirect_uri: provider.login.postLogoutRedirectUrl,
        client_id: provider.login.clientId,
      };
      if (idTokenHint) params.id_token_hint = idTokenHint;
      return client.buildEndSessionUrl(config, params).href;
    } catch {
      return null; // the local session is gone either way; the provider is just unreachable
    }
  }

  /** ID-token claims, then userinfo (see `fetchUserInfo`), then a verifiable JWT access token's roles. */
  private async collectClaims(provider: ConfiguredProvider, idClaims: JWTPayload, tokens: TokenResponse): Promise<Record<string, unknown>> {
    let claims = await collectUserInfo(provider, { ...idClaims }, tokens.access_token);
    if (tokens.access_token) {
      // Keycloak puts realm roles in the access token only: merge them when it verifies for us.
      const access = await provider.accessTokens.verify(tokens.access_token).catch(() => undefined);
      if (access && access.sub === idClaims.sub) claims = { ...access, ...claims };
    }
    return claims;
  }

  private previousCookie(req: Request): string | undefined {
    return readCookie(req, this.options.session.cookie.name);
  }

  private async getStrategy(provider: ConfiguredProvider): Promise<OidcLoginStrategy> {
    const { config } = await provider.client.get();
    let cached = this.strategies.get(provider.slug);
    if (cached?.config !== config) {
      cached = {
        config,
        strategy: new OidcLoginStrategy(
          {
            config,
            scope: provider.login.scope,
            callbackURL: provider.login.redirectUri,
            sessionKey: LOGIN_SESSION_KEY,
            name: 'nestflux-oidc',
            ...(provider.login.resource ? { resource: provider.login.resource } : {}),
          },
          (tokens, done) => {
            done(null, tokens);
          },
        ),
      };
      this.strategies.set(provider.slug, cached);
    }
    return cached.strategy;
  }
}
