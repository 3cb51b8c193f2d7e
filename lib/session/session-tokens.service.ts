import { Inject, Injectable, Logger } from '@nestjs/common';
import { SESSION_SETTINGS } from '../auth.tokens.js';
import { DependencyUnavailableError, UnauthenticatedError } from '../errors/auth-error.js';
import type { SessionSettings } from '../options/resolved-auth-options.js';
import type { AuthUser } from '../users/auth-user.js';
import type { ActiveSession } from './session-views.js';
import { refreshDue } from './refresh-due.js';
import { SessionRefreshService, type RefreshedTokens } from './session-refresh.service.js';
import { SessionStore } from './store/session-store.interface.js';
import { TokenCipher } from './token-cipher.js';

/**
 * The backend-for-frontend half of a session: the provider's access token, for the server to
 * call downstream APIs on the user's behalf. It never goes to the browser. Refreshed with the
 * refresh token when it is about to expire: one refresh per session across this process's
 * concurrent callers (a shared promise) and across replicas (the store's refresh lock, `SessionRefreshService`).
 */
@Injectable()
export class SessionTokensService {
  private readonly logger = new Logger('NestfluxAuth');
  private readonly cipher: TokenCipher;
  private readonly refreshing = new Map<string, Promise<string>>();

  constructor(
    @Inject(SESSION_SETTINGS) settings: SessionSettings,
    @Inject(SessionStore) private readonly store: SessionStore,
    private readonly refresher: SessionRefreshService,
  ) {
    this.cipher = new TokenCipher(settings.secret);
  }

  /** A valid access token for a session user; 401 when the session cannot produce one. */
  async accessToken(user: AuthUser, options: { forceRefresh?: boolean } = {}): Promise<string> {
    if (user.via !== 'session' || !user.sessionKey) {
      throw new UnauthenticatedError('AUTH_SESSION_INVALID', 'Only a browser session holds provider tokens.');
    }
    const key = user.sessionKey;
    const stored = await this.store.accessToken(key);
    if (!stored) throw new UnauthenticatedError('AUTH_SESSION_INVALID', 'The session has ended.');
    const access = stored.accessTokenEnc ? this.cipher.decrypt(stored.accessTokenEnc) : undefined;
    if (access && !options.forceRefresh && !refreshDue(stored.accessTokenExpiresAt)) return access;
    return this.shared(key, () => this.refresher.refresh(key, options.forceRefresh ? { accessTokenEnc: stored.accessTokenEnc } : {}));
  }

  /**
   * On the request path: refreshes the session's access token when it is about to expire and a
   * refresh token is stored. True when it refreshed (roles may have changed: read the session
   * again). A refused refresh throws `401 AUTH_SESSION_REFRESH_FAILED` (the session has ended);
   * a provider that cannot be reached does not fail the request: the session is ours and stays
   * valid, and the next request tries again.
   */
  async keepFresh(session: Pick<ActiveSession, 'idHash' | 'accessTokenExpiresAt' | 'refreshable'>): Promise<boolean> {
    if (!session.refreshable || !refreshDue(session.accessTokenExpiresAt)) return false;
    try {
      await this.shared(session.idHash, () => this.refresher.refresh(session.idHash));
      return true;
    } catch (error) {
      if (error instanceof DependencyUnavailableError) {
        this.logger.warn(`session refresh postponed: ${error.code}`);
        return false;
      }
      throw error;
    }
  }

  /** Concurrent callers in this process for one session share one refresh. */
  private shared(key: string, run: () => Promise<RefreshedTokens>): Promise<string> {
    let pending = this.refreshing.get(key);
    if (!pending) {
      pending = run()
        .then((tokens) => tokens.accessToken)
        .finally(() => this.refreshing.delete(key));
      this.refreshing.set(key, pending);
    }
    return pending;
  }
}
