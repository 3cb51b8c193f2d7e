import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import * as client from 'openid-client';
import type { DataSource } from 'typeorm';
import { LOGIN_SETTINGS, SESSION_SETTINGS } from '../auth.tokens.js';
import { UnauthenticatedError } from '../errors/auth-error.js';
import { loginFailure } from '../login/login-errors.js';
import type { LoginSettings, SessionSettings } from '../options/resolved-auth-options.js';
import { OidcProviderClient } from '../provider/oidc-provider-client.service.js';
import type { AuthUser } from '../users/auth-user.js';
import { AuthSessionService } from './auth-session.service.js';
import { TokenCipher } from './token-cipher.js';

/** Refresh this long before the access token expires, so a caller never gets one about to die. */
const EXPIRY_MARGIN_MS = 30_000;

interface TokenRow {
  access_token_enc: string | null;
  refresh_token_enc: string | null;
  access_token_expires_at: Date | null;
}

/**
 * The backend-for-frontend half of a session: the provider's access token, for the server to
 * call downstream APIs on the user's behalf. It never goes to the browser. Refreshed with the
 * refresh token when it is about to expire; concurrent callers share one refresh.
 */
@Injectable()
export class SessionTokensService {
  private readonly cipher: TokenCipher;
  private readonly refreshing = new Map<string, Promise<string>>();

  constructor(
    @Inject(SESSION_SETTINGS) settings: SessionSettings,
    @Inject(LOGIN_SETTINGS) private readonly login: LoginSettings,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly provider: OidcProviderClient,
    private readonly sessions: AuthSessionService,
  ) {
    this.cipher = new TokenCipher(settings.secret);
  }

  /** A valid access token for a session user; 401 when the session cannot produce one. */
  async accessToken(user: AuthUser, options: { forceRefresh?: boolean } = {}): Promise<string> {
    if (user.via !== 'session' || !user.sessionKey) {
      throw new UnauthenticatedError('AUTH_SESSION_INVALID', 'Only a browser session holds provider tokens.');
    }
    const key = user.sessionKey;
    const rows: TokenRow[] = await this.dataSource.query(
      'SELECT access_token_enc, refresh_token_enc, access_token_expires_at FROM auth_sessions WHERE id_hash = $1', [key],
    );
    const row = rows[0];
    if (!row) throw new UnauthenticatedError('AUTH_SESSION_INVALID', 'The session has ended.');
    const access = row.access_token_enc ? this.cipher.decrypt(row.access_token_enc) : undefined;
    const fresh = row.access_token_expires_at === null || new Date(row.access_token_expires_at).getTime() - Date.now() > EXPIRY_MARGIN_MS;
    if (access && fresh && !options.forceRefresh) return access;
    const refreshToken = row.refresh_token_enc ? this.cipher.decrypt(row.refresh_token_enc) : undefined;
    if (!refreshToken) throw new UnauthenticatedError('AUTH_SESSION_INVALID', 'The access token expired and there is no refresh token; sign in again.');
    let pending = this.refreshing.get(key);
    if (!pending) {
      pending = this.refresh(key, refreshToken).finally(() => this.refreshing.delete(key));
      this.refreshing.set(key, pending);
    }
    return pending;
  }

  private async refresh(key: string, refreshToken: string): Promise<string> {
    const { config } = await this.provider.get();
    let tokens: client.TokenEndpointResponse & client.TokenEndpointResponseHelpers;
    try {
      tokens = await client.refreshTokenGrant(config, refreshToken, this.login.resource ? { resource: this.login.resource } : undefined);
    } catch (error) {
      const failure = loginFailure(error);
      if (failure.status < 500) {
        // The provider refused the refresh token (revoked, expired, reused): the session is over.
        await this.sessions.destroy(key);
        throw new UnauthenticatedError('AUTH_SESSION_INVALID', 'The provider ended this session; sign in again.', { cause: error });
      }
      throw failure;
    }
    const expiresIn = tokens.expiresIn();
    await this.dataSource.query(
      `UPDATE auth_sessions SET access_token_enc = $2, refresh_token_enc = COALESCE($3, refresh_token_enc),
              id_token_enc = COALESCE($4, id_token_enc), access_token_expires_at = $5 WHERE id_hash = $1`,
      [
        key, this.cipher.encrypt(tokens.access_token), tokens.refresh_token ? this.cipher.encrypt(tokens.refresh_token) : null,
        tokens.id_token ? this.cipher.encrypt(tokens.id_token) : null, expiresIn !== undefined ? new Date(Date.now() + expiresIn * 1000) : null,
      ],
    );
    return tokens.access_token;
  }
}
