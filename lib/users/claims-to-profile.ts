import { createHash } from 'node:crypto';
import { extractRoles } from '../tokens/claims.js';
import type { UserProfile } from './claims-mapper.interface.js';

/**
 * The built-in mapping from verified claims to the stored profile. No optional claim is
 * relied on: `preferred_username`, `email_verified` and `picture` may all be missing.
 */
export function claimsToProfile(claims: Readonly<Record<string, unknown>>, rolesPath: readonly string[]): UserProfile {
  const email = text(claims.email, 320)?.toLowerCase() ?? null;
  const username = text(claims.preferred_username, 255) ?? text(claims.nickname, 255) ?? null;
  const fullName = text(claims.name, 255) ?? joinNames(claims.given_name, claims.family_name);
  const picture = text(claims.picture, 2048);
  return {
    email,
    displayName: fullName ?? username ?? (email ? email.split('@')[0] : null),
    username,
    avatarUrl: picture && /^https?:\/\//i.test(picture) ? picture : email ? gravatarUrl(email) : null,
    roles: extractRoles(claims, rolesPath),
  };
}

/** Gravatar's identicon for an address: a stable avatar for users whose provider has none. */
export function gravatarUrl(email: string): string {
  const hash = createHash('sha256').update(email.trim().toLowerCase()).digest('hex');
  return `https://www.gravatar.com/avatar/${hash}?d=identicon`;
}

function text(value: unknown, maxLength: number): string | undefined {
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed ? trimmed.slice(0, maxLength) : undefined;
}

function joinNames(given: unknown, family: unknown): string | undefined {
  const parts = [text(given, 127), text(family, 127)].filter(Boolean);
  return parts.length ? parts.join(' ') : undefined;
}
