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
  /**
   * The sign-in behind the credential (`acr`, `amr`, `auth_time` claims), for step-up checks
   * (`@RequireAcr`, `@RequireMfa`). Bearer tokens carry it; undefined when unknown.
   */
  authentication?: AuthenticationEvent;
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
  /** When the row last changed (login, refresh, sync): bearer tokens issued before it use `roles`. */
  updatedAt?: Date | null;
  /** True when this call provisioned the user (first login or first sight, or a claimed invite). */
  created?: boolean;
  /** True when this call's identity claimed a pending invite (`UserAccountsService.invite`). */
  claimedInvite?: boolean;
}

/** How and when the user authenticated at the provider (OIDC Core §2, RFC 8176, RFC 9470). */
/** A session's authentication event: the ID token's, plus the `acr_values` its login requested. */
export interface SessionAuthentication extends AuthenticationEvent {
  /** The `acr_values` the login sent (a step-up); a step-up that asked for these already is not asked again. */
  requestedAcr?: string[];
}

export interface AuthenticationEvent {
  /** Authentication context class reference. */
  acr?: string;
  /** Authentication method references, e.g. `["pwd", "otp"]`. */
  amr?: string[];
  /** Seconds since the epoch. */
  authTime?: number;
}
