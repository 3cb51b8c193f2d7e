import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AuditLogService } from '../audit/audit-log.service.js';
import { SessionRequestError } from '../errors/auth-error.js';
import { ProviderRegistry } from '../provider/provider-registry.service.js';
import type { ConfiguredProvider } from '../provider/configured-provider.js';
import { unverifiedIssuer } from '../tokens/unverified-issuer.js';
import { SessionRevocationService } from './session-revocation.service.js';

/**
 * OpenID Connect Back-Channel Logout 1.0: verifies the provider's logout token, refuses a `jti`
 * seen before (remembered in the database, so on every replica), and ends the sessions it names,
 * in the transaction that records the `jti`: a token is never spent without its sessions ending
 * (with sessions in Redis, a Redis failure rolls the `jti` back, so the provider's retry works).
 */
@Injectable()
export class BackchannelLogoutService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly providers: ProviderRegistry,
    private readonly revocation: SessionRevocationService,
    private readonly audit: AuditLogService,
  ) {}

  /**
   * Returns how many sessions ended; throws `400 AUTH_LOGOUT_TOKEN_INVALID` for a bad or replayed
   * token. Audited as `backchannel_logout` (a refused token with its code).
   */
  async handle(logoutToken: unknown): Promise<number> {
    // Several providers: the token's (unverified) `iss` only picks which configured provider's
    // keys and client id verify it; any other issuer is refused without a network call.
    const signer = typeof logoutToken === 'string' ? this.providers.byIssuer(unverifiedIssuer(logoutToken)) : this.providers.default;
    const provider = signer?.slug ?? this.providers.default.slug;
    try {
      if (!signer?.loginEnabled)
        throw new SessionRequestError('AUTH_LOGOUT_TOKEN_INVALID', 'Logout token rejected (its issuer is not a provider of this app)');
      const ended = await this.endSessions(signer, logoutToken);
      this.audit.record({ event: 'backchannel_logout', provider, details: { sessions: ended } });
      return ended;
    } catch (error) {
      this.audit.recordFailure({ event: 'backchannel_logout', provider }, error);
      throw error;
    }
  }

  private async endSessions(signer: ConfiguredProvider, logoutToken: unknown): Promise<number> {
    const token = await signer.logoutTokens.verify(logoutToken);
    const issuer = signer.issuer;
    return this.dataSource.transaction(async (manager) => {
      const fresh: unknown[] = await manager.query(
        `INSERT INTO auth_logout_token_jtis (issuer, jti, expires_at) VALUES ($1, $2, $3)
         ON CONFLICT (issuer, jti) DO NOTHING RETURNING jti`,
        [issuer, token.jti, token.rememberUntil],
      );
      if (fresh.length === 0) throw new SessionRequestError('AUTH_LOGOUT_TOKEN_INVALID', 'Logout token rejected (already used)');
      return this.revocation.destroyForProvider(issuer, { sid: token.sid, sub: token.sub }, manager);
    });
  }
}
