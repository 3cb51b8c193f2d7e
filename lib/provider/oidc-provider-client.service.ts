import { Logger } from '@nestjs/common';
import type { JWTVerifyGetKey } from 'jose';
import * as client from 'openid-client';
import { DependencyUnavailableError } from '../errors/auth-error.js';
import type { LoginSettings, TokenSettings } from '../options/resolved-auth-options.js';
import { JwksCache } from '../tokens/jwks.cache.js';
import { ProviderReachability } from './provider-reachability.js';
import { clientAuthentication } from './client-authentication.js';

const FIRST_RETRY_DELAY_MS = 1_000;
const MAX_RETRY_DELAY_MS = 60_000;

/** The issuer's signing keys. */
export interface ProviderKeys {
  /** jose's key lookup over `keys`, for `jwtVerify`. */
  jwks: JWTVerifyGetKey;
  keys: JwksCache;
}

/** Discovery result plus what is derived from it once: the JWKS and the client configuration. */
export interface ProviderHandle extends ProviderKeys {
  config: client.Configuration;
}

/**
 * One provider as the app knows it (one instance per configured provider, each with its own
 * discovery, keys, back-off and reachability: one provider down does not stop the others).
 * Discovery is lazy and retried with backoff, so the app boots while the provider is down: until
 * it answers, callers get a 503 (`AUTH_PROVIDER_UNAVAILABLE`) at once instead of a hanging
 * request, and everything recovers by itself. A bearer-only issuer with an explicit JWKS URL (a
 * gateway) is never discovered: only its keys are fetched.
 */
export class OidcProviderClient {
  private readonly logger = new Logger('NestfluxAuth');
  private handle: ProviderHandle | undefined;
  private inFlight: Promise<ProviderHandle> | undefined;
  private nextAttemptAt = 0;
  private retryDelayMs = FIRST_RETRY_DELAY_MS;
  /** The provider's health as of its last call; logins consult it (503 rather than a dead redirect). */
  readonly reachability = new ProviderReachability(() => this.probe());

  private explicitKeys: ProviderKeys | undefined;

  constructor(
    private readonly login: LoginSettings,
    private readonly tokens: TokenSettings,
    private readonly jwksUrl?: URL,
  ) {}

  /** The issuer's signing keys: from its explicit JWKS URL, else from discovery. */
  async keys(): Promise<ProviderKeys> {
    if (!this.jwksUrl) return this.get();
    if (!this.explicitKeys) {
      const keys = this.jwksCache(this.jwksUrl);
      this.explicitKeys = { jwks: keys.getKey, keys };
    }
    return this.explicitKeys;
  }

  private jwksCache(jwksUri: URL): JwksCache {
    // Our own cache around jose's local key set: stale-if-error and a cooldown for failed fetches too.
    return new JwksCache({
      jwksUri,
      maxAgeMs: this.tokens.jwksMaxAgeMs,
      cooldownMs: this.tokens.jwksCooldownMs,
      staleIfErrorMs: this.tokens.jwksStaleIfErrorMs,
      timeoutMs: this.tokens.httpTimeoutMs,
    });
  }

  /** The discovered provider; throws `DependencyUnavailableError` while it cannot be reached. */
  async get(): Promise<ProviderHandle> {
    if (this.handle) return this.handle;
    if (this.jwksUrl) throw new TypeError(`${this.login.issuer} is a bearer-only issuer without discovery`);
    if (this.inFlight) return this.inFlight;
    if (Date.now() < this.nextAttemptAt) {
      throw new DependencyUnavailableError('AUTH_PROVIDER_UNAVAILABLE', 'The identity provider is unavailable; retry shortly.');
    }
    this.inFlight = this.discover().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  /** The discovered provider, if it answered lately or answers a probe now; a 503 otherwise. */
  async getReachable(): Promise<ProviderHandle> {
    const handle = await this.get();
    await this.reachability.assertReachable();
    return handle;
  }

  /**
   * A cheap liveness check: the discovery document, which every provider serves, must answer
   * 200 JSON naming our issuer within the HTTP timeout (at most 3 s).
   */
  private async probe(): Promise<void> {
    const base = this.login.issuer.endsWith('/') ? this.login.issuer : `${this.login.issuer}/`;
    const res = await fetch(new URL('.well-known/openid-configuration', base), {
      redirect: 'manual',
      // The same patience as every other provider call (httpTimeoutMs): a shorter one called a
      // provider that was merely slow (a burst of logins on a busy machine) down, and logins got 503.
      signal: AbortSignal.timeout(this.login.httpTimeoutMs),
    });
    if (res.status !== 200) throw new Error(`discovery answered ${res.status}`);
    const body = (await res.json()) as { issuer?: unknown };
    if (body.issuer !== this.login.issuer) throw new Error('discovery names another issuer');
  }

  /** Starts discovery in the background (at boot) without failing if the provider is down. */
  warmUp(): void {
    if (!this.jwksUrl) this.get().catch(() => undefined);
  }

  private async discover(): Promise<ProviderHandle> {
    try {
      const clientAuth = await this.clientAuthentication();
      const execute = this.login.allowInsecureRequests ? [client.allowInsecureRequests] : [];
      const config = await client.discovery(
        new URL(this.login.issuer),
        this.login.clientId,
        // openid-client checks exp/nbf itself before our verifier runs, with its own default of
        // 30 s: our clockToleranceSeconds must reach it, or it silently wins.
        { id_token_signed_response_alg: this.tokens.idTokenAlgorithms[0], [client.clockTolerance]: this.tokens.clockToleranceSeconds },
        clientAuth,
        { execute, timeout: Math.ceil(this.login.httpTimeoutMs / 1000) },
      );
      const jwksUri = config.serverMetadata().jwks_uri;
      if (!jwksUri) throw new Error('the discovery document has no jwks_uri');
      const keys = this.jwksCache(new URL(jwksUri));
      this.handle = { config, jwks: keys.getKey, keys };
      this.retryDelayMs = FIRST_RETRY_DELAY_MS;
      this.reachability.succeeded();
      this.logger.log(`identity provider discovered: ${this.login.issuer}`);
      return this.handle;
    } catch (error) {
      this.nextAttemptAt = Date.now() + this.retryDelayMs;
      this.logger.warn(
        `identity provider discovery of ${this.login.issuer} failed (${describe(error)}); next attempt in ${this.retryDelayMs} ms`,
      );
      this.retryDelayMs = Math.min(this.retryDelayMs * 2, MAX_RETRY_DELAY_MS);
      throw new DependencyUnavailableError('AUTH_PROVIDER_UNAVAILABLE', 'The identity provider is unavailable; retry shortly.', {
        cause: error,
      });
    }
  }

  private clientAuthentication(): Promise<client.ClientAuth> {
    return clientAuthentication(this.login);
  }
}

/** A one-line reason for logs: the error's code or message, never a request body or token. */
export function describe(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
    return `${typeof code === 'string' ? `${code} ` : ''}${error.message}${cause}`.slice(0, 300);
  }
  return String(error).slice(0, 300);
}
