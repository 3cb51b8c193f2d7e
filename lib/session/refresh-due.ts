/** Refresh this long before the access token expires, so a caller never gets one about to die. */
export const EXPIRY_MARGIN_MS = 30_000;

/** True when an access token expiring at `expiresAt` should be refreshed now (null: never). */
export function refreshDue(expiresAt: Date | null): boolean {
  return expiresAt !== null && new Date(expiresAt).getTime() - Date.now() <= EXPIRY_MARGIN_MS;
}
