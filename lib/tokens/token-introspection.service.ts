import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import * as client from 'openid-client';
import { INTROSPECTION_SETTINGS, LOGIN_SETTINGS, TOKEN_SETTINGS } from '../auth.tokens.js';
import { DependencyUnavailableError, UnauthenticatedError } from '../errors/auth-error.js';
import { ExpiringMap } from '../cache/expiring-map.js';
import type { IntrospectionSettings, LoginSettings, TokenSettings } from '../options/resolved-auth-options.js';
import { clientAuthentication } from '../provider/client-authentication.js';
import { describe, OidcProviderClient } from '../provider/oidc-provider-client.service.js';
import type { VerifiedAccessToken } from './access-token.verifier.js';
import { MAX_BEARER_TOKEN_LENGTH } from './access-token.verifier.js';
import { claimIdentifier } from './claims.js';

/** RFC 6750 §2.1 b64token: what a bearer token may consist of. */
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;
/** Token types that are access tokens; a refresh token is active too, but is no bearer credential. */
const ACCESS_TOKEN_TYPES = new Set(['bearer', 'access_token', 'urn:ietf:params:oauth:token-type:access_token']);
const MAX_CACHE_ENTRIES = 10_000;

type Answer = { active: true; claims: VerifiedAccessToken } | { active: false; reason: string };

/**
 * RFC 7662 introspection of opaque bearer tokens, with this app's client credentials. An active
 * answer is cached for at most `cacheSeconds` and never past the token's `exp` (a revoked token
 * stays accepted that long at most); an inactive one for a few seconds only; concurrent requests
 * with one token share one call. Tokens are cached by their SHA-256, never kept as they are.
 * The answer is checked like a JWT's claims: `aud` must name this API, `iss` (when stated),
 * `exp`/`nbf` with the clock tolerance, `client_id` against `allowedClientIds`, and `token_type`
 * (a refresh token introspects as active, and must not pass as an access token).
 */
@Injectable()
export class TokenIntrospectionService {
  private readonly logger = new Logger('NestfluxAuth');
  private readonly answers = new ExpiringMap<Answer>(MAX_CACHE_ENTRIES);
  private readonly inFlight = new Map<string, Promise<Answer>>();
  private configuration: Promise<client.Configuration> | undefined;

  constructor(
    @Inject(INTROSPECTION_SETTINGS) private readonly settings: IntrospectionSettings | null,
    @Inject(TOKEN_SETTINGS) private readonly tokens: TokenSettings,
    @Inject(LOGIN_SETTINGS) private readonly login: LoginSettings,
    private readonly provider: OidcProviderClient,
  ) {}

  /** True when a bearer token that is not a JWT goes to the provider. */
  get enabled(): boolean {
    return this.settings !== null;
  }

  /** The token's claims when the provider says it is active and it passes our rules; 401 otherwise, 503 when the provider cannot answer. */
  async introspect(token: string): Promise<VerifiedAccessToken> {
    if (token.length > MAX_BEARER_TOKEN_LENGTH || !B64TOKEN.test(token)) {
      throw new UnauthenticatedError('AUTH_TOKEN_INVALID', 'The bearer token is malformed.');
    }
    const key = createHash('sha256').update(token).digest('base64url');
    let answer = this.answers.get(key);
    if (!answer) {
      let pending = this.inFlight.get(key);
      if (!pending) {
        pending = this.ask(token, key).finally(() => this.inFlight.delete(key));
        this.inFlight.set(key, pending);
      }
      answer = await pending;
    }
    if (!answer.active) throw new UnauthenticatedError('AUTH_TOKEN_INVALID', answer.reason);
    // A cached answer for a token that expired meanwhile (the cache is bounded by exp, to the ms).
    const exp = answer.claims.exp;
    if (typeof exp === 'number' && exp + this.tokens.clockToleranceSeconds < Date.now() / 1000) {
      throw new UnauthenticatedError('AUTH_TOKEN_INVALID', 'The bearer token has expired.');
    }
    return answer.claims;
  }

  private async ask(token: string, key: string): Promise<Answer> {
    const settings = this.settings!;
    let response: client.IntrospectionResponse;
    try {
      response = await client.tokenIntrospection(await this.config(), token);
    } catch (error) {
      this.logger.warn(`token introspection failed: ${describe(error)}`);
      throw new DependencyUnavailableError(
        'AUTH_PROVIDER_UNAVAILABLE',
        'The identity provider cannot check this token now; retry shortly.',
        { cause: error },
      );
    }
    const answer = this.judge(response);
    const now = Date.now();
    if (!answer.active) {
      this.answers.set(key, answer, now + settings.negativeCacheMs);
    } else {
      const exp = answer.claims.exp;
      this.answers.set(key, answer, Math.min(now + settings.maxCacheMs, typeof exp === 'number' ? exp * 1000 : Number.POSITIVE_INFINITY));
    }
    return answer;
  }

  /** Our rules over the provider's answer. */
  private judge(response: client.IntrospectionResponse): Answer {
    if (response.active !== true) return { active: false, reason: 'The bearer token is not active (expired, revoked or unknown).' };
    const now = Date.now() / 1000;
    const tolerance = this.tokens.clockToleranceSeconds;
    const tokenType = typeof response.token_type === 'string' ? response.token_type.toLowerCase() : undefined;
    if (tokenType !== undefined && !ACCESS_TOKEN_TYPES.has(tokenType))
      return { active: false, reason: 'The bearer token is not an access token.' };
    const sub = claimIdentifier(response.sub);
    if (!sub) return { active: false, reason: 'The bearer token names no subject.' };
    if (response.iss !== undefined && response.iss !== this.tokens.issuer)
      return { active: false, reason: 'The bearer token is from another issuer.' };
    // Required, as for a JWT: an active token of the provider may be meant for another API, or be
    // a refresh token (which introspects active with no `aud` and, at some providers, no token_type).
    const audiences = Array.isArray(response.aud) ? response.aud : response.aud === undefined ? [] : [response.aud];
    if (!audiences.includes(this.tokens.audience)) return { active: false, reason: 'The bearer token is meant for another audience.' };
    if (typeof response.exp === 'number' && response.exp + tolerance < now)
      return { active: false, reason: 'The bearer token has expired.' };
    if (typeof response.nbf === 'number' && response.nbf - tolerance > now)
      return { active: false, reason: 'The bearer token is not valid yet.' };
    const allowed = this.tokens.allowedClientIds;
    if (allowed) {
      const clientId =
        typeof response.client_id === 'string' ? response.client_id : typeof response.azp === 'string' ? response.azp : undefined;
      if (!clientId || !allowed.has(clientId))
        return { active: false, reason: 'The bearer token was issued to a client this API does not accept.' };
    }
    const { active: _active, ...claims } = response;
    return { active: true, claims: { ...claims, sub } };
  }

  /** The discovered provider with our client credentials (and the configured endpoint, if any). */
  private config(): Promise<client.Configuration> {
    this.configuration ??= (async () => {
      const { config: discovered } = await this.provider.get();
      const server = { ...discovered.serverMetadata() };
      if (this.settings!.endpoint) server.introspection_endpoint = this.settings!.endpoint;
      if (!server.introspection_endpoint) {
        throw new TypeError('introspection is on, but the provider has no introspection_endpoint: set introspection.endpoint');
      }
      const config = new client.Configuration(server, this.login.clientId, undefined, await clientAuthentication(this.login));
      if (this.login.allowInsecureRequests || server.introspection_endpoint.startsWith('http:')) client.allowInsecureRequests(config);
      config.timeout = Math.ceil(this.login.httpTimeoutMs / 1000);
      return config;
    })();
    // A provider down at the first call: try discovery again next time.
    this.configuration.catch(() => (this.configuration = undefined));
    return this.configuration;
  }
}
