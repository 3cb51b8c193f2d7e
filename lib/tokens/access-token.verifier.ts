import { Inject, Injectable } from '@nestjs/common';
import { jwtVerify, type JWTPayload, type JWTVerifyOptions } from 'jose';
import { TOKEN_SETTINGS } from '../auth.tokens.js';
import { UnauthenticatedError } from '../errors/auth-error.js';
import type { TokenSettings } from '../options/resolved-auth-options.js';
import { OidcProviderClient } from '../provider/oidc-provider-client.service.js';
import { claimIdentifier } from './claims.js';
import { bearerFailure } from './jose-errors.js';
import { VerifiedTokenCache } from './verified-token.cache.js';

/** A compact JWS: three base64url parts. Anything else is rejected before any parsing. */
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
/** Real access tokens are a few KB; refuse to parse more. */
export const MAX_BEARER_TOKEN_LENGTH = 8192;
/** RFC 9068 `at+jwt`, or the plain `JWT` that Keycloak and Authentik use. */
const ACCEPTED_TYP = new Set(['at+jwt', 'application/at+jwt', 'jwt']);
/** Tokens that say they are something else (Keycloak marks ID and refresh tokens in `typ`). */
const FOREIGN_TOKEN_TYPES = new Set(['id', 'refresh', 'logout', 'offline']);

/**
 * Verifies bearer access tokens locally against the provider's JWKS (cached by jose; an unknown
 * `kid` triggers one refetch per cooldown, so key rotation needs no restart).
 */
@Injectable()
export class AccessTokenVerifier {
  private readonly verified = new VerifiedTokenCache();
  /** Built once: the per-request path only verifies. */
  private readonly verifyOptions: JWTVerifyOptions;

  constructor(
    @Inject(TOKEN_SETTINGS) private readonly settings: TokenSettings,
    private readonly provider: OidcProviderClient,
  ) {
    this.verifyOptions = {
      issuer: settings.issuer,
      audience: settings.audience,
      algorithms: [...settings.accessTokenAlgorithms],
      clockTolerance: settings.clockToleranceSeconds,
      requiredClaims: ['sub', 'exp'],
    };
  }

  async verify(token: string): Promise<JWTPayload & { sub: string }> {
    if (token.length > MAX_BEARER_TOKEN_LENGTH || !COMPACT_JWS.test(token)) {
      throw new UnauthenticatedError('AUTH_TOKEN_INVALID', 'Bearer token rejected (not a signed JWT)');
    }
    const cached = this.verified.get(token);
    if (cached) return cached;
    try {
      const { jwks } = await this.provider.get();
      const { payload, protectedHeader } = await jwtVerify(token, jwks, this.verifyOptions);
      const typ = protectedHeader.typ?.toLowerCase();
      if (typ !== undefined && !ACCEPTED_TYP.has(typ)) {
        throw new UnauthenticatedError('AUTH_TOKEN_INVALID', `Bearer token rejected (typ "${protectedHeader.typ}" is not an access token)`);
      }
      // An ID token has the client as audience too: it carries the login's nonce, access tokens don't.
      const idTokenLike = typ !== 'at+jwt' && typ !== 'application/at+jwt' && payload.nonce !== undefined;
      if (idTokenLike || (typeof payload.typ === 'string' && FOREIGN_TOKEN_TYPES.has(payload.typ.toLowerCase()))) {
        throw new UnauthenticatedError('AUTH_TOKEN_INVALID', 'Bearer token rejected (it is not an access token)');
      }
      const now = Math.floor(Date.now() / 1000);
      if (typeof payload.iat === 'number' && payload.iat > now + this.settings.clockToleranceSeconds) {
        throw new UnauthenticatedError('AUTH_TOKEN_INVALID', 'Bearer token rejected ("iat" is in the future)');
      }
      // Identifiers are refused, never cleaned: a cleaned `sub` would alias another user.
      if (claimIdentifier(payload.sub) === undefined) {
        throw new UnauthenticatedError('AUTH_TOKEN_INVALID', 'Bearer token rejected (bad "sub": empty, too long or with control characters)');
      }
      const verified = payload as JWTPayload & { sub: string };
      this.verified.set(token, verified);
      return verified;
    } catch (error) {
      throw bearerFailure(error);
    }
  }
}
