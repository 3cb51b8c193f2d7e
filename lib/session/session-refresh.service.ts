import { Inject, Injectable, Logger } from '@nestjs/common';
import * as client from 'openid-client';
import type { EntityManager } from 'typeorm';
import { SESSION_SETTINGS } from '../auth.tokens.js';
import { AuthError, UnauthenticatedError } from '../errors/auth-error.js';
import { loginFailure } from '../login/login-errors.js';
import type { SessionSettings } from '../options/resolved-auth-options.js';
import { collectUserInfo } from '../login/userinfo-claims.js';
import type { ConfiguredProvider } from '../provider/configured-provider.js';
import { ProviderRegistry } from '../provider/provider-registry.service.js';
import { withGrantedRoles } from '../users/granted-roles.js';
import { LoginProfileMapper } from '../users/login-profile.mapper.js';
import { refreshDue } from './refresh-due.js';
import { SessionCacheService } from './session-cache.service.js';
import { SessionRevocationService } from './session-revocation.service.js';
import { SessionStore, type SessionRefreshLock, type SessionTokenState } from './store/session-store.interface.js';
import { TokenCipher } from './token-cipher.js';

type TokenResponse = client.TokenEndpointResponse & client.TokenEndpointResponseHelpers;

/** What a refresh left in the session. */
export interface RefreshedTokens {
  accessToken: string;
  accessTokenExpiresAt: Date | null;
}

/**
 * Spends a session's refresh token, once per rotation across every replica: the session is
 * locked (the row, `SELECT … FOR UPDATE`, or a Redis lock) for the provider round trip, and a replica that waited for the
 * lock finds the tokens another one just stored and uses them instead of spending the (now
 * rotated) refresh token again, which a provider with reuse detection would punish by revoking
 * the grant. The refreshed ID token is verified like a login's (signature, iss, aud, exp, iat,
 * same `sub`) before anything is stored; the user's profile and roles follow the new tokens.
 * A refusal (revoked, expired, reused, or a token that fails a check) ends the session:
 * `401 AUTH_SESSION_REFRESH_FAILED`.
 */
@Injectable()
export class SessionRefreshService {
  private readonly logger = new Logger('NestfluxAuth');
  private readonly cipher: TokenCipher;

  constructor(
    @Inject(SESSION_SETTINGS) settings: SessionSettings,
    @Inject(SessionStore) private readonly store: SessionStore,
    private readonly providers: ProviderRegistry,
    private readonly profiles: LoginProfileMapper,
    private readonly revocation: SessionRevocationService,
    private readonly cache: SessionCacheService,
  ) {
    this.cipher = new TokenCipher(settings.secret);
  }

  /**
   * Refreshes the session `key`, unless another request or replica did meanwhile: with
   * `seenAccessTokenEnc` (a forced refresh), when the stored access token is no longer the one
   * the caller read; without it, when the stored token is no longer due for refresh.
   */
  async refresh(key: string, seen: { accessTokenEnc?: string | null } = {}): Promise<RefreshedTokens> {
    let refused: AuthError | undefined;
    const result = await this.store.withRefreshLock(key, async (lock) => {
      const row = lock.state;
      if (!row) throw new UnauthenticatedError('AUTH_SESSION_INVALID', 'The session has ended.');
      const current = row.accessTokenEnc ? this.cipher.decrypt(row.accessTokenEnc) : undefined;
      const refreshedMeanwhile =
        'accessTokenEnc' in seen ? row.accessTokenEnc !== seen.accessTokenEnc : !refreshDue(row.accessTokenExpiresAt);
      if (current && refreshedMeanwhile) {
        return { accessToken: current, accessTokenExpiresAt: row.accessTokenExpiresAt };
      }
      const refreshToken = row.refreshTokenEnc ? this.cipher.decrypt(row.refreshTokenEnc) : undefined;
      if (!refreshToken) {
        refused = new UnauthenticatedError(
          'AUTH_SESSION_REFRESH_FAILED',
          'The access token expired and there is no refresh token; sign in again.',
        );
        return undefined;
      }
      // The provider the session came from refreshes it; one no longer configured cannot.
      const provider = this.providers.byIssuer(row.issuer);
      if (!provider?.loginEnabled) {
        refused = new UnauthenticatedError(
          'AUTH_SESSION_REFRESH_FAILED',
          'The provider of this session is no longer configured; sign in again.',
        );
        return undefined;
      }
      try {
        const tokens = await this.grant(provider, refreshToken);
        return await this.storeRefreshed(provider, lock, row, tokens);
      } catch (error) {
        const failure = loginFailure(error);
        if (failure.status >= 500) throw failure; // provider down: keep the session, retry later
        this.logger.warn(`session refresh refused: ${failure.code}: ${failure.message}`);
        refused = new UnauthenticatedError('AUTH_SESSION_REFRESH_FAILED', 'The provider refused to refresh this session; sign in again.', {
          cause: error,
        });
        return undefined;
      }
    });
    if (refused || !result) {
      await this.revocation.destroy(key);
      throw refused ?? new UnauthenticatedError('AUTH_SESSION_REFRESH_FAILED', 'The session could not be refreshed; sign in again.');
    }
    // Roles and token expiry changed: this instance re-reads at once (others hear of the roles from
    // PostgreSQL, and of a new token when their own refresh finds it already done).
    this.cache.dropSessions([key]);
    return result;
  }

  private async grant(provider: ConfiguredProvider, refreshToken: string): Promise<TokenResponse> {
    const { config } = await provider.client.get();
    return client.refreshTokenGrant(config, refreshToken, provider.login.resource ? { resource: provider.login.resource } : undefined);
  }

  /** Verifies what the provider returned, then stores the tokens and the user's new profile. */
  private async storeRefreshed(
    provider: ConfiguredProvider,
    lock: SessionRefreshLock,
    row: SessionTokenState,
    tokens: TokenResponse,
  ): Promise<RefreshedTokens> {
    const idClaims = tokens.id_token ? await provider.idTokens.verifyRefreshed(tokens.id_token, row.subject) : undefined;
    const access = await provider.accessTokens.verify(tokens.access_token).catch(() => undefined);
    const accessClaims = access && access.sub === row.subject ? access : undefined;
    const expiresIn = tokens.expiresIn();
    const accessTokenExpiresAt = expiresIn !== undefined ? new Date(Date.now() + expiresIn * 1000) : null;
    await lock.save({
      accessTokenEnc: this.cipher.encrypt(tokens.access_token),
      refreshTokenEnc: tokens.refresh_token ? this.cipher.encrypt(tokens.refresh_token) : null,
      idTokenEnc: tokens.id_token ? this.cipher.encrypt(tokens.id_token) : null,
      accessTokenExpiresAt,
    });
    if (idClaims || accessClaims) await this.updateProfile(provider, lock.db, row, { ...accessClaims, ...idClaims }, tokens.access_token);
    return { accessToken: tokens.access_token, accessTokenExpiresAt };
  }

  /** Roles and profile follow the refreshed tokens (and userinfo, as the login reads it). */
  private async updateProfile(
    provider: ConfiguredProvider,
    manager: EntityManager,
    row: SessionTokenState,
    verified: Record<string, unknown>,
    accessToken: string,
  ): Promise<void> {
    const claims = await collectUserInfo(provider, { ...verified, sub: row.subject }, accessToken);
    const profile = await this.profiles.map(claims, provider.tokens.rolesPath);
    await manager.query(
      `UPDATE auth_users SET email = COALESCE($2, email), display_name = COALESCE($3, display_name), username = COALESCE($4, username),
              avatar_url = COALESCE($5, avatar_url), roles = ${withGrantedRoles('$6::jsonb', 'granted_roles')}, updated_at = now() WHERE id = $1`,
      [row.userId, profile.email, profile.displayName, profile.username, profile.avatarUrl, JSON.stringify(profile.roles)],
    );
  }
}
