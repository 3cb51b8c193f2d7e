/** Why a pass deactivated nobody although it had users to deactivate (`npm run sync` exits 3). */
export interface DeactivationHold {
  /** `limit`: more than `sync.deactivateLimit`; `no-match`: the listing matched no local identity. */
  reason: 'limit' | 'no-match';
  /** Users the pass would have deactivated. */
  wouldDeactivate: number;
  /** Active local users at the issuer. */
  activeUsers: number;
  /** The limit in users, and as configured (`10%`, `500`). */
  limit: number;
  limitSetting: string;
  /** One line for people: the limit, the numbers and the likely cause. */
  message: string;
}

/** What one `runOnce()` did. Counts are users; `unchanged` rows were matched but not rewritten. */
export interface SyncRunSummary {
  /** True when another pass was running (here or on another replica): nothing was done. */
  skipped: boolean;
  /** `auth_sync_runs.id` of the pass; null when skipped. */
  runId: string | null;
  source: string;
  /** Users in the directory listing. */
  fetched: number;
  /** Local users created for listed users who never signed in (`importUsers`). */
  created: number;
  /** Local users whose metadata changed, or who were reactivated. */
  updated: number;
  /** Local users turned inactive: disabled in, or missing from, the complete listing. */
  deactivated: number;
  /** Local users the listing matched whose row needed no change. */
  unchanged: number;
  /** Listed users that matched a local identity at the issuer. */
  matched: number;
  /** Listed users left out for want of a subject (logged with the reason). */
  skippedUsers: number;
  /** Why a completed pass did not deactivate missing users (e.g. an empty listing); else null. */
  deactivationSkipped: string | null;
  /** Set when the pass held back every deactivation for safety; else null. */
  deactivationHeld: DeactivationHold | null;
  durationMs: number;
}

/** The contract's one-line summary, as `npm run sync` prints it last. */
export function formatSyncSummary(summary: SyncRunSummary): string {
  if (summary.skipped) return 'sync: skipped, another pass is running';
  const { fetched, updated, created, deactivated, unchanged, durationMs } = summary;
  return `sync: ${fetched} fetched, ${updated} updated, ${created} created, ${deactivated} deactivated, ${unchanged} unchanged in ${Math.round(durationMs)} ms`;
}
