/** Stable codes of sync failures, so callers `switch (err.code)`. */
export type UserSyncErrorCode =
  /** The directory refused the credentials (401/403): nothing was changed. */
  | 'SYNC_SOURCE_UNAUTHORIZED'
  /** The directory stayed unreachable or kept failing (timeouts, 429, 5xx) after the retries. */
  | 'SYNC_SOURCE_UNAVAILABLE'
  /** The directory answered something the source cannot read (other 4xx, not JSON, wrong shape). */
  | 'SYNC_SOURCE_BAD_RESPONSE'
  /** Another replica took the pass over (this one's heartbeat was too old). */
  | 'SYNC_LEASE_LOST'
  /** The pass was cancelled, e.g. by application shutdown. */
  | 'SYNC_ABORTED';

/** A sync pass that did not complete. Messages carry the URL and status, never a token. */
export class UserSyncError extends Error {
  override readonly name = 'UserSyncError';
  /** HTTP status the directory answered, when there was one. */
  readonly status: number | undefined;
  /** The directory's own explanation (`detail`, `error_description`), when it gave one. */
  readonly detail: string | undefined;

  constructor(
    readonly code: UserSyncErrorCode,
    message: string,
    options?: { cause?: unknown; status?: number; detail?: string },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.status = options?.status;
    this.detail = options?.detail;
  }
}
