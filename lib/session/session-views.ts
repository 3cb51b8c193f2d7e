import type { SessionAuthentication, StoredUser } from '../users/auth-user.js';

/** What a login hands over to become a session. */
export interface NewSession {
  userId: string;
  issuer: string;
  subject: string;
  providerSid: string | null;
  roles: string[];
  scopes: string[];
  idToken: string | null;
  accessToken: string | null;
  refreshToken: string | null;
  accessTokenExpiresAt: Date | null;
  /** `acr`, `amr`, `auth_time` of the login's ID token (browser step-up checks them). */
  authentication: SessionAuthentication | null;
  /** Client address and user agent of the login (shown in the user's session list). */
  ip?: string | null;
  userAgent?: string | null;
}

/** A session as its user sees it (`GET /auth/sessions`). */
export interface SessionSummary {
  /** Opaque handle: never the cookie value or its hash. */
  id: string;
  current: boolean;
  createdAt: string;
  lastSeenAt: string;
  ip: string | null;
  userAgent: string | null;
}

/** A live session joined with its user, as the guard sees it. */
export interface ActiveSession {
  idHash: string;
  issuer: string;
  subject: string;
  /**
   * The user's current roles (`auth_users.roles`), not a copy taken at login: a role removed at
   * the provider (seen by the next login, refresh or sync) stops working in live sessions.
   */
  roles: string[];
  scopes: string[];
  user: StoredUser;
  /** When the provider's access token behind the session expires (null: unknown). */
  accessTokenExpiresAt: Date | null;
  /** A refresh token is stored: the access token can be refreshed on the request path. */
  refreshable: boolean;
  /** The login's authentication event (null: a session from before step-up support). */
  authentication: SessionAuthentication | null;
}

/** A session as cached: what the guard needs, plus what the liveness checks need. */
export interface KnownSession {
  session: ActiveSession;
  userId: string;
  expiresAtMs: number;
  /** Latest activity known here (read from the store, then every request on this instance). */
  lastSeenMs: number;
}
