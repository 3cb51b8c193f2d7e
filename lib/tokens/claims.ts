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
  if (Array.isArray(value)) return [...new Set(value.filter((role): role is string => typeof role === 'string' && role.length > 0))];
  if (typeof value === 'string') return [...new Set(value.split(/[\s,]+/).filter(Boolean))];
  return [];
}

/** OAuth scopes from `scope` (space separated, RFC 9068) or `scp` (array, as Azure/Okta emit). */
export function extractScopes(claims: Readonly<Record<string, unknown>>): string[] {
  const { scope, scp } = claims;
  if (typeof scope === 'string') return scope.split(' ').filter(Boolean);
  if (Array.isArray(scp)) return scp.filter((s): s is string => typeof s === 'string');
  if (typeof scp === 'string') return scp.split(' ').filter(Boolean);
  return [];
}
