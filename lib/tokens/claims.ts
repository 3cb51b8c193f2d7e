/** Reads a value at a dot path (`realm_access.roles`) from claims; undefined if any step is missing. */
export function readClaimPath(claims: Readonly<Record<string, unknown>>, path: readonly string[]): unknown {
  let value: unknown = claims;
  for (const key of path) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/**
 * Roles at the configured path: an array of strings, or a single space/comma separated string
 * (some providers emit one role as a string). Anything else yields no roles, never an error.
 */
export function extractRoles(claims: Readonly<Record<string, unknown>>, path: readonly string[]): string[] {
  const value = readClaimPath(claims, path);
  const roles = Array.isArray(value) ? value : typeof value === 'string' ? value.split(/[\s,]+/) : [];
  // A role with a control character is no role we could have granted: drop it (PostgreSQL's
  // jsonb refuses \u0000 anyway).
  return [
    ...new Set(
      roles.filter(
        (role): role is string =>
          typeof role === 'string' && role.length > 0 && role.length <= MAX_ROLE_LENGTH && !hasControlCharacters(role),
      ),
    ),
  ];
}

/** OAuth scopes from `scope` (space separated, RFC 9068) or `scp` (array, as Azure/Okta emit). */
export function extractScopes(claims: Readonly<Record<string, unknown>>): string[] {
  const { scope, scp } = claims;
  if (typeof scope === 'string') return scope.split(' ').filter(Boolean);
  if (Array.isArray(scp)) return scp.filter((s): s is string => typeof s === 'string');
  if (typeof scp === 'string') return scp.split(' ').filter(Boolean);
  return [];
}

/** C0 and C1 control characters (NUL, escape sequences, newlines, …) and DEL. */
/* eslint-disable no-control-regex -- finding control characters is the point */
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/;
const CONTROL_CHARACTERS_GLOBAL = /[\u0000-\u001f\u007f-\u009f]+/g;
/* eslint-enable no-control-regex */
const MAX_ROLE_LENGTH = 255;
const EMAIL_SHAPE = /^[^\s@]+@[^\s@]+$/;

/** True when `value` holds a control character (claims are untrusted input, signed or not). */
export function hasControlCharacters(value: string): boolean {
  return CONTROL_CHARACTERS.test(value);
}

/**
 * An identifier claim (`sub`, `sid`, `client_id`): the string as is, or undefined when it is not a
 * non-empty string of at most `maxLength` without control characters. Identifiers are never
 * "cleaned": `a\u0000b` cleaned to `ab` would alias another subject.
 */
export function claimIdentifier(value: unknown, maxLength = 255): string | undefined {
  if (typeof value !== 'string' || value.length === 0 || value.length > maxLength) return undefined;
  return hasControlCharacters(value) ? undefined : value;
}

/**
 * A display text claim (`name`, `preferred_username`, `given_name`, `picture`): control
 * characters become one space, the result is trimmed and cut to `maxLength`; undefined when
 * nothing is left.
 */
export function cleanClaimText(value: unknown, maxLength: number): string | undefined {
  if (typeof value !== 'string') return undefined;
  const cleaned = value.replace(CONTROL_CHARACTERS_GLOBAL, ' ').trim().slice(0, maxLength).trim();
  return cleaned || undefined;
}

/**
 * An email claim, lower-cased: undefined unless it looks like an address and holds no control
 * character (an address with a NUL is dropped, not repaired: it would name someone else).
 */
export function cleanEmailClaim(value: unknown, maxLength = 320): string | undefined {
  if (typeof value !== 'string') return undefined;
  const email = value.trim().toLowerCase();
  if (email.length === 0 || email.length > maxLength || hasControlCharacters(email) || !EMAIL_SHAPE.test(email)) return undefined;
  return email;
}

/** `acr`, `amr` and `auth_time` of verified claims, each only when well-formed. */
export function authenticationEvent(claims: Readonly<Record<string, unknown>>): { acr?: string; amr?: string[]; authTime?: number } {
  const event: { acr?: string; amr?: string[]; authTime?: number } = {};
  const acr = claimIdentifier(claims.acr, 255);
  if (acr !== undefined) event.acr = acr;
  if (Array.isArray(claims.amr)) event.amr = claims.amr.filter((m): m is string => claimIdentifier(m, 64) !== undefined);
  if (typeof claims.auth_time === 'number' && Number.isFinite(claims.auth_time)) event.authTime = claims.auth_time;
  return event;
}
