/** The profile the library keeps for a user, derived from verified claims. */
export interface UserProfile {
  email: string | null;
  displayName: string | null;
  username: string | null;
  avatarUrl: string | null;
  roles: string[];
}

/**
 * A host hook: turns verified claims (ID token merged with userinfo) into the stored profile.
 * `defaults` is what the built-in mapping produced; return it changed, or a new object.
 */
export type ClaimsMapper = (claims: Readonly<Record<string, unknown>>, defaults: UserProfile) => UserProfile | Promise<UserProfile>;

/** What `afterLogin` receives: the stored user and every verified claim of this login. */
export interface LoginEvent {
  userId: string;
  issuer: string;
  /** The slug of the provider the user signed in with. */
  provider: string;
  subject: string;
  /** True on the login that created the user. */
  firstLogin: boolean;
  claims: Readonly<Record<string, unknown>>;
}

/**
 * A host hook run after the user row is written and before the session exists: write your own
 * columns or tables keyed by `userId`. Throwing aborts the login with no session.
 */
export type AfterLoginHook = (event: LoginEvent) => void | Promise<void>;
