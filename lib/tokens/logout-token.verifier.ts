import { jwtVerify } from 'jose';
import { DependencyUnavailableError, SessionRequestError } from '../errors/auth-error.js';
import type { TokenSettings } from '../options/resolved-auth-options.js';
import type { OidcProviderClient } from '../provider/oidc-provider-client.service.js';
import { isJwksUnreachable, joseReason } from './jose-errors.js';

const BACKCHANNEL_EVENT = 'http://schemas.openid.net/event/backchannel-logout';
/** How old a logout token may be; its `jti` is remembered this long (plus the clock tolerance). */
export const LOGOUT_TOKEN_MAX_AGE_SECONDS = 300;

/** What a verified logout token names. */
export interface VerifiedLogoutToken {
  sid: string | undefined;
  sub: string | undefined;
  jti: string;
  /** Until when the `jti` must be remembered: past it, the token is too old anyway. */
  rememberUntil: Date;
}

/**
 * OpenID Connect Back-Channel Logout 1.0 §2.6: validates a logout token. Every failure is a
 * `400 AUTH_LOGOUT_TOKEN_INVALID` (§2.8), except an unreachable JWKS (503, the provider retries).
 */
export class LogoutTokenVerifier {
  constructor(
    private readonly settings: TokenSettings,
    private readonly provider: OidcProviderClient,
  ) {}

  async verify(token: unknown): Promise<VerifiedLogoutToken> {
    if (typeof token !== 'string' || token.length === 0 || token.length > 8192) throw invalid('missing or oversized logout_token');
    try {
      const { jwks } = await this.provider.keys();
      const { payload } = await jwtVerify(token, jwks, {
        issuer: this.settings.issuer,
        audience: this.settings.clientId,
        algorithms: this.settings.idTokenAlgorithms.filter((alg) => !alg.startsWith('HS')),
        clockTolerance: this.settings.clockToleranceSeconds,
        requiredClaims: ['iat', 'jti'],
        maxTokenAge: LOGOUT_TOKEN_MAX_AGE_SECONDS,
      });
      const events = payload.events as Record<string, unknown> | undefined;
      if (!events || typeof events !== 'object' || !(BACKCHANNEL_EVENT in events)) throw invalid('no back-channel logout event');
      if ('nonce' in payload) throw invalid('a logout token must not carry a nonce');
      if (typeof payload.jti !== 'string' || payload.jti.length === 0 || payload.jti.length > 255) throw invalid('bad "jti"');
      const sid = typeof payload.sid === 'string' && payload.sid !== '' ? payload.sid : undefined;
      const sub = typeof payload.sub === 'string' && payload.sub !== '' ? payload.sub : undefined;
      if (!sid && !sub) throw invalid('neither sid nor sub');
      const rememberUntil = new Date((payload.iat! + LOGOUT_TOKEN_MAX_AGE_SECONDS + this.settings.clockToleranceSeconds) * 1000);
      return { sid, sub, jti: payload.jti, rememberUntil };
    } catch (error) {
      if (error instanceof SessionRequestError || error instanceof DependencyUnavailableError) throw error;
      if (isJwksUnreachable(error)) {
        throw new DependencyUnavailableError(
          'AUTH_PROVIDER_UNAVAILABLE',
          "Cannot fetch the identity provider's signing keys; retry shortly.",
          { cause: error },
        );
      }
      throw invalid(joseReason(error), error);
    }
  }
}

function invalid(reason: string, cause?: unknown): SessionRequestError {
  return new SessionRequestError('AUTH_LOGOUT_TOKEN_INVALID', `Logout token rejected (${reason})`, { cause });
}
