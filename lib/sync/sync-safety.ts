import type { DeactivationHold } from './sync-run-summary.js';
import type { ResolvedUserSyncOptions } from './user-sync.options.js';
import type { DeactivationResult, RunCounts } from './user-sync.store.js';

type MatchingOptions = Pick<ResolvedUserSyncOptions, 'subjectField' | 'issuer' | 'source'>;

/** "authentik field "uid" = the OIDC sub of <issuer>": said at start-up, and in every hold. */
export function describeMatching(options: MatchingOptions, sourceName: string): string {
  const field = options.source === 'custom' ? 'DirectoryUser.subject' : `field "${options.subjectField}"`;
  return `${sourceName} ${field} is matched to the OIDC sub of ${options.issuer ?? '(no issuer)'} (sync.subjectField, AUTH_SYNC_SUBJECT_FIELD)`;
}

/**
 * Why the deactivation step held back (or null when it did not): the listing matched none of
 * the local identities although it would deactivate some, or it would deactivate more than
 * `sync.deactivateLimit`. The message names the limit and the likely cause.
 */
export function deactivationHold(
  result: DeactivationResult,
  counts: Pick<RunCounts, 'matched' | 'fetched'>,
  options: MatchingOptions & Pick<ResolvedUserSyncOptions, 'deactivateLimit'>,
  sourceName: string,
): DeactivationHold | null {
  if (result.candidates === 0 || result.deactivated > 0) return null;
  const { candidates, active, limit } = result;
  const setting = options.deactivateLimit.text;
  const numbers = `the pass would deactivate ${candidates} of ${active} active users`;
  const cause = `the subject field is likely wrong or changed: ${describeMatching(options, sourceName)}`;
  if (counts.matched === 0) {
    return {
      reason: 'no-match',
      wouldDeactivate: candidates,
      activeUsers: active,
      limit,
      limitSetting: setting,
      message: `${numbers}, but its ${counts.fetched} listed users matched none of the local identities, so it deactivates nobody whatever the limit (sync.deactivateLimit, AUTH_SYNC_DEACTIVATE_LIMIT=${setting}); ${cause}`,
    };
  }
  if (candidates <= limit) return null;
  return {
    reason: 'limit',
    wouldDeactivate: candidates,
    activeUsers: active,
    limit,
    limitSetting: setting,
    message:
      `${numbers}, more than the deactivation limit of ${limit} (sync.deactivateLimit, AUTH_SYNC_DEACTIVATE_LIMIT=${setting}); ` +
      `check the listing first (${counts.matched} of ${counts.fetched} listed users matched a local identity; if that is low, ${cause}), ` +
      'then raise the limit for one run if the provider really lost these users',
  };
}
