import { createHash } from 'node:crypto';
import { cleanClaimText, cleanEmailClaim, extractRoles } from '../tokens/claims.js';
import type { UserProfile } from './claims-mapper.interface.js';

/**
 * The built-in mapping from verified claims to the stored profile. No optional claim is
 * relied on: `preferred_username`, `email_verified` and `picture` may all be missing. Texts lose
 * their control characters, an email with one is dropped (see `tokens/claims.ts`).
 */
export function claimsToProfile(claims: Readonly<Record<string, unknown>>, rolesPath: readonly string[]): UserProfile {
  const email = cleanEmailClaim(claims.email) ?? null;
  const username = text(claims.preferred_username, 255) ?? text(claims.nickname, 255) ?? null;
  const fullName = text(claims.name, 255) ?? joinNames(claims.given_name, claims.family_name);
  const picture = text(claims.picture, 2048);
  return {
    email,
    displayName: fullName ?? username ?? (email ? email.split('@')[0] : null),
    username,
    avatarUrl: picture && /^https?:\/\/\S+$/i.test(picture) ? picture : email ? gravatarUrl(email) : null,
    roles: extractRoles(claims, rolesPath),
  };
}

/**
 * The same cleaning applied to a finished profile (a host's `claimsMapper` may return anything):
 * run before every write, so no claim text can make PostgreSQL refuse a row.
 */
export function sanitizeProfile(profile: UserProfile): UserProfile {
  return {
    ...profile,
    email: profile.email === null ? null : (cleanEmailClaim(profile.email) ?? null),
    displayName: profile.displayName === null ? null : (cleanClaimText(profile.displayName, 255) ?? null),
    username: profile.username === null ? null : (cleanClaimText(profile.username, 255) ?? null),
    avatarUrl: profile.avatarUrl === null ? null : (cleanClaimText(profile.avatarUrl, 2048) ?? null),
    roles: extractRoles({ roles: profile.roles }, ['roles']),
  };
}

/** Gravatar's identicon for an address: a stable avatar for users whose provider has none. */
export function gravatarUrl(email: string): string {
  const hash = createHash('sha256').update(email.trim().toLowerCase()).digest('hex');
  return `https://www.gravatar.com/avatar/${hash}?d=identicon`;
}

function text(value: unknown, maxLength: number): string | undefined {
  return cleanClaimText(value, maxLength);
}

function joinNames(given: unknown, family: unknown): string | undefined {
  const parts = [text(given, 127), text(family, 127)].filter(Boolean);
  return parts.length ? parts.join(' ') : undefined;
}
