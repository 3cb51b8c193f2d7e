import { decodeProtectedHeader, jwtVerify, type JWTPayload } from 'jose';
import { LoginError } from '../errors/auth-error.js';
import type { TokenSettings } from '../options/resolved-auth-options.js';
import type { OidcProviderClient } from '../provider/oidc-provider-client.service.js';
import { claimIdentifier } from './claims.js';
import { idTokenFailure } from './jose-errors.js';

/**
 * Verifies an ID token ourselves, also when it came straight from the token endpoint over TLS:
 * signature against the provider's JWKS (HS* only with the client secret), pinned algorithms,
 * `iss`, `aud` (+ `azp` with several audiences), `exp`, `iat` not in the future, and the nonce.
 */
export class IdTokenVerifier {
  private readonly hmacKey: Uint8Array | undefined;

  constructor(
    private readonly settings: TokenSettings,
    private readonly provider: OidcProviderClient,
  ) {
    this.hmacKey = settings.clientSecret ? new TextEncoder().encode(settings.clientSecret) : undefined;
  }

  async verify(idToken: unknown, expectedNonce: string): Promise<JWTPayload> {
    return this.check(idToken, { nonce: expectedNonce });
  }

  /**
   * An ID token from a refresh (OIDC Core §12.2): the same checks as at login, except that no
   * nonce was sent (one present is not compared), and `sub` must be the session's.
   */
  async verifyRefreshed(idToken: unknown, expectedSubject: string): Promise<JWTPayload> {
    const payload = await this.check(idToken, { nonce: undefined });
    if (payload.sub !== expectedSubject)
      throw new LoginError('AUTH_ID_TOKEN_INVALID', 'ID token rejected ("sub" is not the session\'s subject)');
    return payload;
  }

  private async check(idToken: unknown, expected: { nonce: string | undefined }): Promise<JWTPayload> {
    if (typeof idToken !== 'string' || idToken.length === 0) {
      throw new LoginError('AUTH_ID_TOKEN_INVALID', 'The provider returned no ID token.');
    }
    const alg = readAlgorithm(idToken);
    try {
      if (typeof alg !== 'string' || !this.settings.idTokenAlgorithms.includes(alg)) {
        throw new LoginError('AUTH_ID_TOKEN_INVALID', `ID token rejected (algorithm ${String(alg)} is not accepted)`);
      }
      const key = alg.startsWith('HS') ? this.hmacKey! : (await this.provider.keys()).jwks;
      const { payload } = await jwtVerify(idToken, key as Parameters<typeof jwtVerify>[1], {
        issuer: this.settings.issuer,
        audience: this.settings.clientId,
        algorithms: [...this.settings.idTokenAlgorithms],
        clockTolerance: this.settings.clockToleranceSeconds,
        requiredClaims: ['sub', 'iat', 'exp'],
      });
      this.checkClaims(payload, expected.nonce);
      return payload;
    } catch (error) {
      throw idTokenFailure(error);
    }
  }

  private checkClaims(payload: JWTPayload, expectedNonce: string | undefined): void {
    const now = Math.floor(Date.now() / 1000);
    if (typeof payload.iat !== 'number' || payload.iat > now + this.settings.clockToleranceSeconds) {
      throw new LoginError('AUTH_ID_TOKEN_INVALID', 'ID token rejected ("iat" is in the future)');
    }
    const audiences = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
    if (audiences.length > 1 && payload.azp === undefined) {
      throw new LoginError('AUTH_ID_TOKEN_INVALID', 'ID token rejected (several audiences and no "azp")');
    }
    if (payload.azp !== undefined && payload.azp !== this.settings.clientId) {
      throw new LoginError('AUTH_ID_TOKEN_INVALID', 'ID token rejected ("azp" is another client)');
    }
    if (expectedNonce !== undefined && (typeof payload.nonce !== 'string' || payload.nonce !== expectedNonce)) {
      throw new LoginError('AUTH_ID_TOKEN_INVALID', 'ID token rejected (missing or wrong "nonce")');
    }
    // Identifiers are refused, never cleaned: `a\u0000b` cleaned to `ab` would alias another subject.
    if (claimIdentifier(payload.sub) === undefined) {
      throw new LoginError('AUTH_ID_TOKEN_INVALID', 'ID token rejected (bad "sub")');
    }
    if (payload.sid !== undefined && claimIdentifier(payload.sid) === undefined) {
      throw new LoginError('AUTH_ID_TOKEN_INVALID', 'ID token rejected (bad "sid")');
    }
  }
}

/** The header's `alg`; a token that does not even parse is rejected here as a bad token (401). */
function readAlgorithm(idToken: string): unknown {
  try {
    return decodeProtectedHeader(idToken).alg;
  } catch {
    throw new LoginError('AUTH_ID_TOKEN_INVALID', 'ID token rejected (malformed)');
  }
}
