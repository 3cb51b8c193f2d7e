/** The user a request acts for: put on `request.user` by `AuthGuard`, read with `@CurrentUser()`. */
export interface AuthUser {
  /** Local id (`auth_users.id`). */
  id: string;
  /** OIDC subject at `issuer`. */
  sub: string;
  issuer: string;
  email: string | null;
  displayName: string | null;
  avatarUrl: string | null;
  roles: string[];
  /** OAuth scopes of a bearer token; the login's granted scopes for a session. */
  scopes: string[];
  /** How the request authenticated. */
  via: 'session' | 'bearer';
  /** For `via: 'session'`: the session's stored key (a hash, never the cookie value). */
  sessionKey?: string;
}

/** A user row as the library reads it back. */
export interface StoredUser {
  id: string;
  email: string | null;
  displayName: string | null;
  username: string | null;
  avatarUrl: string | null;
  roles: string[];
  active: boolean;
  /** True when this call created the user (first login or first sight). */
  created?: boolean;
}
