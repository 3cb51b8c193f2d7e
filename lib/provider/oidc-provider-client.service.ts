import { Inject, Injectable, Logger } from '@nestjs/common';
import type { JWTVerifyGetKey } from 'jose';
import * as client from 'openid-client';
import { LOGIN_SETTINGS, TOKEN_SETTINGS } from '../auth.tokens.js';
import { DependencyUnavailableError } from '../errors/auth-error.js';
import type { LoginSettings, TokenSettings } from '../options/resolved-auth-options.js';
import { JwksCache } from '../tokens/jwks.cache.js';
import { ProviderReachability } from './provider-reachability.js';
import { clientAuthentication } from './client-authentication.js';

const FIRST_RETRY_DELAY_MS = 1_000;
const MAX_RETRY_DELAY_MS = 60_000;

/** Discovery result plus what is derived from it once: the JWKS and the client configuration. */
export interface ProviderHandle {
  config: client.Configuration;
  /** jose's key lookup over `keys`, for `jwtVerify`. */
  jwks: JWTVerifyGetKey;
  keys: JwksCache;
}

/**
 * The provider as the app knows it. Discovery is lazy and retried with backoff, so the app boots
 * while the provider is down: until it answers, callers get a 503 (`AUTH_PROVIDER_UNAVAILABLE`)
 * at once instead of a hanging request, and everything recovers by itself.
 */
@Injectable()
export class OidcProviderClient {
  private readonly logger = new Logger('NestfluxAuth');
  private handle: ProviderHandle | undefined;
  private inFlight: Promise<ProviderHandle> | undefined;
  private nextAttemptAt = 0;
  private retryDelayMs = FIRST_RETRY_DELAY_MS;
  /** The provider's health as of its last call; logins consult it (503 rather than a dead redirect). */
  readonly reachability = new ProviderReachability(() => this.probe());

  constructor(
    @Inject(LOGIN_SETTINGS) private readonly login: LoginSettings,
    @Inject(TOKEN_SETTINGS) private readonly tokens: TokenSettings,
  ) {}

  /** The discovered provider; throws `DependencyUnavailableError` while it cannot be reached. */
  async get(): Promise<ProviderHandle> {
    if (this.handle) return this.handle;
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
      signal: AbortSignal.timeout(Math.min(this.login.httpTimeoutMs, 3_000)),
    });
    if (res.status !== 200) throw new Error(`discovery answered ${res.status}`);
    const body = (await res.json()) as { issuer?: unknown };
    if (body.issuer !== this.login.issuer) throw new Error('discovery names another issuer');
  }

  /** Starts discovery in the background (at boot) without failing if the provider is down. */
  warmUp(): void {
    this.get().catch(() => undefined);
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
      // Our own cache around jose's local key set: stale-if-error and a cooldown for failed fetches too.
      const keys = new JwksCache({
        jwksUri: new URL(jwksUri),
        maxAgeMs: this.tokens.jwksMaxAgeMs,
        cooldownMs: this.tokens.jwksCooldownMs,
        staleIfErrorMs: this.tokens.jwksStaleIfErrorMs,
        timeoutMs: this.tokens.httpTimeoutMs,
      });
      this.handle = { config, jwks: keys.getKey, keys };
      this.retryDelayMs = FIRST_RETRY_DELAY_MS;
      this.reachability.succeeded();
      this.logger.log(`identity provider discovered: ${this.login.issuer}`);
      return this.handle;
    } catch (error) {
      this.nextAttemptAt = Date.now() + this.retryDelayMs;
      this.logger.warn(`identity provider discovery failed (${describe(error)}); next attempt in ${this.retryDelayMs} ms`);
      this.retryDelayMs = Math.min(this.retryDelayMs * 2, MAX_RETRY_DELAY_MS);
      throw new DependencyUnavailableError('AUTH_PROVIDER_UNAVAILABLE', 'The identity provider is unavailable; retry shortly.', { cause: error });
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
