import type { StoredUser } from './auth-user.js';

/**
 * The roles a bearer request acts with. A token keeps the roles of the moment it was issued for
 * its whole lifetime, so: the token's roles, unless the user's record changed after the token's
 * `iat` (a login, a refresh or the sync wrote it later: it knows better), then the record's. A
 * token without `iat` cannot be placed in time and gets the record's roles. The record is read
 * through the bearer-user cache, so a change reaches bearer requests within its 15 s.
 */
export function bearerRoles(tokenRoles: string[], iat: unknown, user: Pick<StoredUser, 'roles' | 'updatedAt'>): string[] {
  if (!user.updatedAt) return tokenRoles;
  if (typeof iat !== 'number') return [...user.roles];
  // iat has one-second resolution: a change within the token's second counts as later.
  return user.updatedAt.getTime() >= iat * 1000 ? [...user.roles] : tokenRoles;
}
