/** One user as a directory lists it, normalised to what `auth_users` stores. Metadata only. */
export interface DirectoryUser {
  /** Equals the OIDC `sub` this provider puts in tokens (see `sync.subjectField`). */
  subject: string;
  username: string | null;
  /** Full name, falling back to the user name. */
  displayName: string | null;
  /** Lower-cased. */
  email: string | null;
  /** An absolute http(s) URL; Gravatar's identicon when the directory has none but an email. */
  avatarUrl: string | null;
  /** False when the directory disables the user. */
  active: boolean;
  /** Roles or group names; `null` when the source does not report them (stored roles are kept). */
  roles: string[] | null;
  /**
   * False for accounts that are not people (Authentik service accounts): an existing local
   * match is still updated, but `importUsers` never creates one. Default true.
   */
  importable?: boolean;
}

/** One page of a listing. */
export interface DirectoryPage {
  users: DirectoryUser[];
  /**
   * The directory's total count as of this page, when it reports one. If it changes during a
   * listing, offset paging may have skipped users, so that pass deactivates nobody.
   */
  total?: number;
  /**
   * Listed users the source left out because they cannot have a subject (e.g. Authentik's
   * email subject mode and a user without an email). Counted and logged, not a failure.
   */
  skipped?: number;
  /** Why they were skipped, for the log (one line per reason). */
  skippedReason?: string;
}

/** What a listing needs from the sync: cancellation. */
export interface DirectoryListOptions {
  signal?: AbortSignal;
}

/**
 * A directory API the sync reads (Authentik, Keycloak, SCIM, or a host's own). `listUsers`
 * yields the complete listing page by page and throws if any page cannot be read: the sync
 * deactivates users only after the iterator finished without an error.
 */
export interface DirectorySource {
  /** Short name for logs and `auth_sync_runs.source`, e.g. `authentik`. */
  readonly name: string;
  listUsers(options?: DirectoryListOptions): AsyncIterable<DirectoryPage>;
}

/** DI token of the directory source the sync uses. */
export const DIRECTORY_SOURCE = Symbol('nestflux:directory-source');
