import { Inject, Injectable } from '@nestjs/common';
import { jwtVerify } from 'jose';
import { TOKEN_SETTINGS } from '../auth.tokens.js';
import { LoginError } from '../errors/auth-error.js';
import type { TokenSettings } from '../options/resolved-auth-options.js';
import { OidcProviderClient } from '../provider/oidc-provider-client.service.js';
import { idTokenFailure } from './jose-errors.js';

const BACKCHANNEL_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

/** OpenID Connect Back-Channel Logout 1.0 §2.6: validates a logout token, returns its sid/sub. */
@Injectable()
export class LogoutTokenVerifier {
  constructor(
    @Inject(TOKEN_SETTINGS) private readonly settings: TokenSettings,
    private readonly provider: OidcProviderClient,
  ) {}

  async verify(token: unknown): Promise<{ sid?: string; sub?: string }> {
    if (typeof token !== 'string' || token.length > 8192) throw invalid('missing logout_token');
    try {
      const { jwks } = await this.provider.get();
      const { payload } = await jwtVerify(token, jwks, {
        issuer: this.settings.issuer,
        audience: this.settings.clientId,
        algorithms: this.settings.idTokenAlgorithms.filter((alg) => !alg.startsWith('HS')),
        clockTolerance: this.settings.clockToleranceSeconds,
        requiredClaims: ['iat', 'jti'],
        maxTokenAge: '5m',
      });
      const events = payload.events as Record<string, unknown> | undefined;
      if (!events || typeof events !== 'object' || !(BACKCHANNEL_EVENT in events)) throw invalid('no back-channel logout event');
      if ('nonce' in payload) throw invalid('a logout token must not carry a nonce');
      const sid = typeof payload.sid === 'string' ? payload.sid : undefined;
      const sub = typeof payload.sub === 'string' ? payload.sub : undefined;
      if (!sid && !sub) throw invalid('neither sid nor sub');
      return { sid, sub };
    } catch (error) {
      throw idTokenFailure(error);
    }
  }
}

function invalid(reason: string): LoginError {
  return new LoginError('AUTH_ID_TOKEN_INVALID', `Logout token rejected (${reason})`);
}
