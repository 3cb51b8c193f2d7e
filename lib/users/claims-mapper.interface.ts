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
