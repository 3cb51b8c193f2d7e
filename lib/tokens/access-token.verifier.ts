import { errors, jwtVerify, type JWTHeaderParameters, type JWTPayload, type JWTVerifyOptions } from 'jose';
import { UnauthenticatedError } from '../errors/auth-error.js';
import type { TokenSettings } from '../options/resolved-auth-options.js';
import type { OidcProviderClient } from '../provider/oidc-provider-client.service.js';
import { claimIdentifier } from './claims.js';
import { isCompactJwsAlgorithm, readCompactJws, verifyCompactJws, type CompactJwsOptions } from './compact-jws.js';
import { bearerFailure } from './jose-errors.js';
import { VerifiedTokenCache } from './verified-token.cache.js';

/** A compact JWS: three base64url parts. Anything else is rejected before any parsing. */
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
/** Real access tokens are a few KB; refuse to parse more. */
export const MAX_BEARER_TOKEN_LENGTH = 8192;
/** RFC 9068 §2.1 `at+jwt` (also spelt with the `application/` prefix). */
const AT_JWT = new Set(['at+jwt', 'application/at+jwt']);
/** The plain `JWT` that Keycloak and Authentik use, unless `requireAtJwt`. */
const PLAIN_JWT = 'jwt';
/** Tokens that say they are something else (Keycloak marks ID and refresh tokens in `typ`). */
const FOREIGN_TOKEN_TYPES = new Set(['id', 'refresh', 'logout', 'offline']);

export type VerifiedAccessToken = JWTPayload & { sub: string };

/**
 * Verifies bearer access tokens locally against the provider's JWKS (see `JwksCache`: an
 * unknown `kid` refetches at most once per cooldown, stale keys serve while the provider is
 * down). The request path is: shape check → verified-token cache → header (parsed once per
 * distinct header) → signature and registered claims on node:crypto with the keys imported once
 * (compact-jws.ts; jose for an algorithm it does not cover) → the rules of `checkAccessTokenRules`.
 */
export class AccessTokenVerifier {
  private readonly verified: VerifiedTokenCache;
  /** Built once: the per-request path only verifies. */
  private readonly verifyOptions: JWTVerifyOptions;
  private readonly compactOptions: CompactJwsOptions;
  private readonly algorithms: ReadonlySet<string>;

  constructor(
    private readonly settings: TokenSettings,
    private readonly provider: OidcProviderClient,
  ) {
    this.verified = new VerifiedTokenCache(settings.jwksMaxAgeMs);
    this.verifyOptions = {
      issuer: settings.issuer,
      audience: settings.audience,
      algorithms: [...settings.accessTokenAlgorithms],
      clockTolerance: settings.clockToleranceSeconds,
      requiredClaims: ['sub', 'exp'],
    };
    this.algorithms = new Set(settings.accessTokenAlgorithms);
    this.compactOptions = {
      issuer: settings.issuer,
      audience: settings.audience,
      algorithms: this.algorithms,
      clockToleranceSeconds: settings.clockToleranceSeconds,
      requiredClaims: ['sub', 'exp'],
    };
  }

  async verify(token: string): Promise<VerifiedAccessToken> {
    if (token.length > MAX_BEARER_TOKEN_LENGTH || !COMPACT_JWS.test(token)) {
      throw rejected('not a signed JWT');
    }
    const cached = this.verified.get(token);
    if (cached) return cached;
    // Garbage is a bad token whatever the provider's state: refuse it before asking for keys.
    let jws: ReturnType<typeof readCompactJws>;
    try {
      jws = readCompactJws(token);
    } catch {
      throw rejected('not a signed JWT');
    }
    try {
      // RFC 9068 §4 / RFC 8725 §3.1-3.2: a pinned algorithm, checked before any key is looked up.
      if (!this.algorithms.has(jws.alg)) throw new errors.JOSEAlgNotAllowed('"alg" (Algorithm) Header Parameter value not allowed');
      const { keys, jwks } = await this.provider.keys();
      // The signature; iss, aud, exp, nbf.
      let payload: JWTPayload;
      if (isCompactJwsAlgorithm(jws.alg)) {
        const candidates = keys.verificationKeys(jws.alg, jws.header.kid);
        payload = verifyCompactJws(token, jws.alg, Array.isArray(candidates) ? candidates : await candidates, this.compactOptions);
      } else {
        ({ payload } = await jwtVerify(token, jwks, this.verifyOptions));
      }
      const verified = this.checkAccessTokenRules(payload, jws.header);
      this.verified.set(token, verified);
      return verified;
    } catch (error) {
      throw bearerFailure(error);
    }
  }

  /** What makes a validly signed JWT an access token for us; each failure is a 401. */
  private checkAccessTokenRules(payload: JWTPayload, header: JWTHeaderParameters): VerifiedAccessToken {
    const typ = header.typ?.toLowerCase();
    // RFC 9068 §2.1 and §4 (typ), RFC 8725 §3.11 (explicit typing).
    if (this.settings.requireAtJwt ? !AT_JWT.has(typ ?? '') : typ !== undefined && !AT_JWT.has(typ) && typ !== PLAIN_JWT) {
      throw rejected(`typ "${header.typ ?? '(none)'}" is not ${this.settings.requireAtJwt ? 'at+jwt' : 'an access token type'}`);
    }
    // An ID token has the client as audience too and carries the login's nonce (OIDC Core §2);
    // a logout token (Back-Channel Logout §2.4) or any Security Event Token (RFC 8417 §2.2)
    // carries `events`. Neither is ever an access token, whatever its header says.
    // (Unless the issuer is a login proxy configured to forward ID tokens: `acceptIdTokens`.)
    if (payload.nonce !== undefined && !this.settings.acceptIdTokens) throw rejected('it carries a nonce: an ID token');
    if (payload.events !== undefined) throw rejected('it carries events: a logout or security event token');
    if (typeof payload.typ === 'string' && FOREIGN_TOKEN_TYPES.has(payload.typ.toLowerCase())) throw rejected('it is not an access token');
    // RFC 9068 §2.2: iat is the issue time; one in the future is a forgery or a broken clock.
    if (typeof payload.iat === 'number' && payload.iat > Math.floor(Date.now() / 1000) + this.settings.clockToleranceSeconds) {
      throw rejected('"iat" is in the future');
    }
    // Identifiers are refused, never cleaned: a cleaned `sub` would alias another user.
    if (claimIdentifier(payload.sub) === undefined) throw rejected('bad "sub": empty, too long or with control characters');
    // RFC 9068 §2.2 client_id (or OIDC's azp): the client the token was issued to.
    const allowed = this.settings.allowedClientIds;
    if (allowed) {
      const client = typeof payload.client_id === 'string' ? payload.client_id : payload.azp;
      if (typeof client !== 'string' || !allowed.has(client)) throw rejected('issued to a client that is not allowed');
    }
    return payload as VerifiedAccessToken;
  }
}

function rejected(reason: string): UnauthenticatedError {
  return new UnauthenticatedError('AUTH_TOKEN_INVALID', `Bearer token rejected (${reason})`);
}
