/**
 * The events the library records. A host may record its own as well (any name of lowercase
 * letters, digits and `_ . : -`, up to 64 characters).
 * - `login`: a callback that signed someone in (`success`) or was refused (`failure`, with `code`).
 * - `logout`: a session ended by `POST <prefix>/logout`.
 * - `backchannel_logout`: the provider ended sessions (`failure`: the token was refused).
 * - `frontchannel_logout`: the provider ended sessions through the browser (`failure`: a wrong `iss`/`sid`).
 * - `link` / `unlink`: an identity added to or removed from a signed-in user.
 * - `provisioning`: a user created at first login.
 * - `refused`: a login refused by a rule (not provisioned, deactivated, …), with `code`.
 * - `rate_limited`: a request over the login routes' rate limit.
 * - `sync_run`: a user-sync pass ended (counts in `details`).
 * - `session_revoked`: the user ended sessions from session management (`details.sessions`).
 */
export type AuditEventName =
  | 'login'
  | 'logout'
  | 'backchannel_logout'
  | 'frontchannel_logout'
  | 'link'
  | 'unlink'
  | 'provisioning'
  | 'refused'
  | 'rate_limited'
  | 'sync_run'
  | 'session_revoked';

export type AuditOutcome = 'success' | 'failure';

/** What `AuditLogService.record` takes. Every field but `event` is optional. */
export interface AuditEntry {
  /** One of `AuditEventName`, or a host's own event name. */
  event: AuditEventName | (string & {});
  /** Default `success`. */
  outcome?: AuditOutcome;
  /** The error code of a failure (`AuthError.code`). */
  code?: string | null;
  /** `auth_users.id` (a UUID; anything else is stored as null). */
  userId?: string | null;
  /** The identity provider's slug. */
  provider?: string | null;
  /** The client address. Filled from the request when one is passed to `record`. */
  ip?: string | null;
  /** Filled from the request when one is passed to `record`; cut to 512 characters. */
  userAgent?: string | null;
  /** Event-specific facts (counts, handles). Never put tokens or secrets here. */
  details?: Record<string, unknown> | null;
  /** When it happened. Default: now. */
  at?: Date;
}

/** One stored entry, as `AuditLogService.find` returns it. */
export interface AuditRecord {
  id: string;
  at: Date;
  event: string;
  outcome: AuditOutcome;
  code: string | null;
  userId: string | null;
  provider: string | null;
  ip: string | null;
  userAgent: string | null;
  details: Record<string, unknown> | null;
}

/** Filters of `AuditLogService.find`; all optional. */
export interface AuditQuery {
  userId?: string;
  event?: string;
  /** Only entries at or after this instant. */
  since?: Date;
  /** At most this many, newest first. Default 100, at most 500. */
  limit?: number;
}

/** Counters since start-up, for monitoring. */
export interface AuditLogStats {
  /** Entries accepted into the queue. */
  recorded: number;
  /** Entries written to the table. */
  written: number;
  /** Entries dropped because the queue was full (or the entry was malformed). */
  dropped: number;
  /** Entries lost because their batch could not be written. */
  failed: number;
  /** Entries waiting to be written. */
  queued: number;
}
