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
  /** Why a completed pass did not deactivate missing users (e.g. an empty listing); else null. */
  deactivationSkipped: string | null;
  durationMs: number;
}

/** The contract's one-line summary, as `npm run sync` prints it last. */
export function formatSyncSummary(summary: SyncRunSummary): string {
  if (summary.skipped) return 'sync: skipped, another pass is running';
  const { fetched, updated, created, deactivated, unchanged, durationMs } = summary;
  return `sync: ${fetched} fetched, ${updated} updated, ${created} created, ${deactivated} deactivated, ${unchanged} unchanged in ${Math.round(durationMs)} ms`;
}
