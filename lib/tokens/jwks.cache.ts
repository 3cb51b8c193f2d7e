import { Logger } from '@nestjs/common';
import { createLocalJWKSet, errors, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';
import { DependencyUnavailableError } from '../errors/auth-error.js';
import { JwsKeySet, type VerificationKey } from './compact-jws.js';

/** A JWKS is a few KB; refuse to parse a body larger than this. */
const MAX_JWKS_BYTES = 512 * 1024;

export interface JwksCacheOptions {
  jwksUri: URL;
  /** Keys are re-read when older than this. */
  maxAgeMs: number;
  /** Minimum time between two fetches, successful or not (an unknown `kid` cannot force more). */
  cooldownMs: number;
  /** How long past `maxAgeMs` the last keys keep verifying while every refetch fails. */
  staleIfErrorMs: number;
  timeoutMs: number;
}

interface KeySet {
  getKey: JWTVerifyGetKey;
  /** The same keys as `KeyObject`s, for the bearer hot path (see compact-jws.ts). */
  objects: JwsKeySet;
  fetchedAt: number;
}

/**
 * The provider's signing keys, with the rules jose's remote set lacks:
 * - every fetch, failed or not, starts the cooldown: tokens with made-up `kid`s cannot make us
 *   hammer a provider that is down (one attempt per cooldown, whatever the traffic);
 * - stale-if-error: keys older than the max age keep verifying while the refetch fails, for at
 *   most `staleIfErrorMs` more; then 503;
 * - an unknown `kid` refetches (cooldown permitting) and otherwise fails as a bad token (401),
 *   also during an outage: an attacker's `kid` never turns into a 503;
 * - a key the provider withdrew stops verifying once the keys are re-read (max age).
 */
export class JwksCache {
  private readonly logger = new Logger('NestfluxAuth');
  private keys: KeySet | undefined;
  private lastAttemptAt = Number.NEGATIVE_INFINITY;
  private inFlight: Promise<boolean> | undefined;

  constructor(private readonly options: JwksCacheOptions) {}

  /** jose's key-lookup function: pass it to `jwtVerify`. */
  readonly getKey: JWTVerifyGetKey = async (header, token) => {
    if (!this.keys || this.age() > this.options.maxAgeMs) await this.refresh();
    const keys = this.keys;
    if (!keys) throw unavailable("the provider's signing keys could not be fetched yet");
    if (this.age() > this.options.maxAgeMs + this.options.staleIfErrorMs) {
      throw unavailable("the provider's signing keys are too old and cannot be refreshed");
    }
    try {
      return await keys.getKey(header, token);
    } catch (error) {
      if (!(error instanceof errors.JWKSNoMatchingKey) || !(await this.refresh())) throw error;
      return this.keys!.getKey(header, token);
    }
  };

  /**
   * The keys that may have signed a token with `alg` and `kid`, by the same rules as `getKey`.
   * Fresh keys that match are a map hit, returned without a promise.
   */
  verificationKeys(alg: string, kid: unknown): VerificationKey[] | Promise<VerificationKey[]> {
    const keys = this.keys;
    if (keys && this.age() <= this.options.maxAgeMs) {
      const hit = keys.objects.candidates(alg, kid);
      if (hit.length > 0) return hit;
    }
    return this.slowVerificationKeys(alg, kid);
  }

  private async slowVerificationKeys(alg: string, kid: unknown): Promise<VerificationKey[]> {
    if (!this.keys || this.age() > this.options.maxAgeMs) await this.refresh();
    const keys = this.keys;
    if (!keys) throw unavailable("the provider's signing keys could not be fetched yet");
    if (this.age() > this.options.maxAgeMs + this.options.staleIfErrorMs) {
      throw unavailable("the provider's signing keys are too old and cannot be refreshed");
    }
    const found = keys.objects.candidates(alg, kid);
    if (found.length > 0 || !(await this.refresh())) return found;
    return this.keys!.objects.candidates(alg, kid);
  }

  /**
   * For health checks: whether tokens can be verified now (keys fetched and within the max age
   * plus stale-if-error), re-reading keys that are due (cooldown permitting, so frequent probes
   * cost the provider nothing more). `ageSeconds` is null before the first fetch.
   */
  async usable(): Promise<{ usable: boolean; stale: boolean; ageSeconds: number | null }> {
    if (!this.keys || this.age() > this.options.maxAgeMs) await this.refresh();
    const age = this.age();
    return {
      usable: this.keys !== undefined && age <= this.options.maxAgeMs + this.options.staleIfErrorMs,
      stale: age > this.options.maxAgeMs,
      ageSeconds: this.keys ? Math.round(age / 1000) : null,
    };
  }

  /** Milliseconds since the keys in use were fetched. */
  private age(): number {
    return this.keys ? Date.now() - this.keys.fetchedAt : Number.POSITIVE_INFINITY;
  }

  /** Fetches new keys unless cooling down; true when new keys were installed. Never throws. */
  private refresh(): Promise<boolean> {
    if (this.inFlight) return this.inFlight;
    if (Date.now() - this.lastAttemptAt < this.options.cooldownMs) return Promise.resolve(false);
    this.lastAttemptAt = Date.now();
    this.inFlight = this.fetchKeys()
      .then(({ getKey, objects }) => {
        this.keys = { getKey, objects, fetchedAt: Date.now() };
        return true;
      })
      .catch((error: unknown) => {
        const age = this.keys ? `keeping the keys fetched ${Math.round(this.age() / 1000)} s ago` : 'no keys yet';
        this.logger.warn(
          `JWKS fetch from ${this.options.jwksUri.origin} failed (${reason(error)}); ${age}; next attempt in ${this.options.cooldownMs / 1000} s at the earliest`,
        );
        return false;
      })
      .finally(() => {
        this.inFlight = undefined;
      });
    return this.inFlight;
  }

  private async fetchKeys(): Promise<Pick<KeySet, 'getKey' | 'objects'>> {
    const res = await fetch(this.options.jwksUri, {
      headers: { accept: 'application/jwk-set+json, application/json' },
      redirect: 'error',
      signal: AbortSignal.timeout(this.options.timeoutMs),
    });
    if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
    const body = await res.text();
    if (body.length > MAX_JWKS_BYTES) throw new Error('JWKS larger than 512 KB');
    const jwks = JSON.parse(body) as JSONWebKeySet;
    // createLocalJWKSet checks the shape (a "keys" array of JWKs) and throws JWKSInvalid otherwise.
    return { getKey: createLocalJWKSet(jwks), objects: new JwsKeySet(jwks) };
  }
}

function unavailable(why: string): DependencyUnavailableError {
  return new DependencyUnavailableError('AUTH_PROVIDER_UNAVAILABLE', `Cannot verify the token now: ${why}; retry shortly.`);
}

function reason(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`.slice(0, 200);
  return String(error).slice(0, 200);
}
