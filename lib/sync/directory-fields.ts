import { gravatarUrl } from '../users/claims-to-profile.js';
import type { DirectoryUser } from './directory-source.interface.js';
import { UserSyncError } from './user-sync.errors.js';

/** The pieces every source maps from its own shape; `toDirectoryUser` normalises them alike. */
export interface RawDirectoryFields {
  subject: unknown;
  username: unknown;
  fullName: unknown;
  email: unknown;
  avatar: unknown;
  active: boolean;
  roles: string[] | null;
}

/**
 * Lengths follow the `auth_users` columns, so one odd record cannot fail a whole batch. A user
 * without the subject field fails the listing: matching by a missing key would deactivate them.
 */
export function toDirectoryUser(source: string, subjectField: string, raw: RawDirectoryFields): DirectoryUser {
  const subject = scalar(raw.subject);
  if (!subject) {
    throw new UserSyncError(
      'SYNC_SOURCE_BAD_RESPONSE',
      `${source} listed a user without "${subjectField}" (sync.subjectField): fix the setting or the directory record`,
    );
  }
  const username = text(raw.username, 255);
  const email = text(raw.email, 320)?.toLowerCase() ?? null;
  const avatar = text(raw.avatar, 2048);
  return {
    subject,
    username,
    displayName: text(raw.fullName, 255) ?? username ?? (email ? email.split('@')[0] : null),
    email,
    avatarUrl: avatar && /^https?:\/\//i.test(avatar) ? avatar : email ? gravatarUrl(email) : null,
    active: raw.active,
    roles: raw.roles === null ? null : [...new Set(raw.roles)].sort(),
  };
}

/** A dot path into a record; an array yields its first element (Keycloak attributes are arrays). */
export function readPath(record: unknown, path: string): unknown {
  let value: unknown = record;
  for (const key of path.split('.')) {
    if (Array.isArray(value)) value = value[0];
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return Array.isArray(value) ? value[0] : value;
}

/** Trimmed non-empty text cut to `maxLength`, else null. */
export function text(value: unknown, maxLength: number): string | null {
  if (typeof value !== 'string') return null;
  const trimmed = value.trim();
  return trimmed ? trimmed.slice(0, maxLength) : null;
}

/** Given and family name joined, or null. */
export function joinNames(...parts: unknown[]): string | null {
  const names = parts.map((part) => text(part, 127)).filter((part): part is string => part !== null);
  return names.length ? names.join(' ') : null;
}

/** Strings of an array (other entries dropped). */
export function strings(values: unknown): string[] {
  return Array.isArray(values) ? values.filter((v): v is string => typeof v === 'string' && v.length > 0) : [];
}

/** A record, or a typed error naming what was expected. */
export function asRecord(value: unknown, what: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new UserSyncError('SYNC_SOURCE_BAD_RESPONSE', `${what} is not a JSON object`);
  }
  return value as Record<string, unknown>;
}

/** An array, or a typed error naming what was expected. */
export function asArray(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value)) throw new UserSyncError('SYNC_SOURCE_BAD_RESPONSE', `${what} is not a JSON array`);
  return value;
}

function scalar(value: unknown): string | null {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return typeof value === 'string' && value.trim() ? value.trim() : null;
}
