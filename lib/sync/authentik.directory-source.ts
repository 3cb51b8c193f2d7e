import { DirectoryHttpClient } from './directory-http.js';
import { asArray, asRecord, readPath, toDirectoryUser } from './directory-fields.js';
import type { DirectoryListOptions, DirectoryPage, DirectorySource, DirectoryUser } from './directory-source.interface.js';
import { UserSyncError } from './user-sync.errors.js';
import type { ResolvedUserSyncOptions } from './user-sync.options.js';

export type AuthentikSourceSettings = Pick<
  ResolvedUserSyncOptions,
  'url' | 'token' | 'subjectField' | 'pageSize' | 'rolesClaim' | 'prefetchPages'
>;

/** Accounts that are not people: matched users are still updated, but never imported. */
const SERVICE_ACCOUNT_TYPES = new Set(['service_account', 'internal_service_account']);

interface ParsedPage {
  page: DirectoryPage;
  current: number;
  next: number;
  totalPages: number;
}

/**
 * Authentik's core API: `GET /api/v3/core/users/?page=&page_size=&ordering=pk`. The server caps
 * `page_size` (the tenant's "pagination max page size", 100 by default) and numbers its pages by
 * the size it used, so after page 1 (which says `total_pages`) the next `prefetchPages` pages are
 * requested at once and yielded in order; a last page whose `next` is not 0 is followed further.
 * The token's user needs the global "Can view User" permission (`authentik_core.view_user`):
 * without it Authentik answers 403, and that fails the pass.
 */
export class AuthentikDirectorySource implements DirectorySource {
  readonly name = 'authentik';

  constructor(
    private readonly settings: AuthentikSourceSettings,
    private readonly http: DirectoryHttpClient,
  ) {}

  async *listUsers(options: DirectoryListOptions = {}): AsyncIterable<DirectoryPage> {
    // Aborts the requests still in flight when the consumer stops early or a page fails.
    const stop = new AbortController();
    const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal;
    const inFlight = new Map<number, Promise<ParsedPage>>();
    try {
      const first = await this.fetchPage(1, signal);
      yield first.page;
      let last = first;
      let nextToRequest = 2;
      for (let page = 2; page <= first.totalPages; page++) {
        while (nextToRequest <= first.totalPages && nextToRequest < page + this.settings.prefetchPages) {
          const request = this.fetchPage(nextToRequest, signal);
          request.catch(() => undefined); // awaited below, in order; this only stops an unhandled rejection
          inFlight.set(nextToRequest++, request);
        }
        const request = inFlight.get(page)!;
        inFlight.delete(page);
        last = await request;
        yield last.page;
      }
      // Users added while listing push the end further: follow `next` one page at a time.
      while (last.next !== 0) {
        if (last.next <= last.current)
          throw new UserSyncError('SYNC_SOURCE_BAD_RESPONSE', `Authentik pagination went from page ${last.current} to ${last.next}`);
        last = await this.fetchPage(last.next, signal);
        yield last.page;
      }
    } finally {
      stop.abort();
    }
  }

  private async fetchPage(page: number, signal: AbortSignal): Promise<ParsedPage> {
    const url = new URL('api/v3/core/users/', `${this.settings.url}/`);
    url.searchParams.set('page', String(page));
    url.searchParams.set('page_size', String(this.settings.pageSize));
    url.searchParams.set('ordering', 'pk');
    // Group objects cost Authentik a join per user; fetch them only when they become roles.
    url.searchParams.set('include_groups', String(this.readsGroups));
    url.searchParams.set('include_roles', 'false');
    let raw: unknown;
    try {
      raw = await this.http.json(url, { headers: { authorization: `Bearer ${this.settings.token}` }, signal });
    } catch (error) {
      throw explainAuthentikError(error);
    }
    const body = asRecord(raw, 'Authentik user list');
    const pagination = asRecord(body.pagination, 'Authentik "pagination"');
    const current = numberField(pagination.current, 'pagination.current');
    if (current !== page)
      throw new UserSyncError('SYNC_SOURCE_BAD_RESPONSE', `Authentik answered page ${current} when asked for page ${page}`);
    const users: DirectoryUser[] = [];
    const skipped: string[] = [];
    for (const item of asArray(body.results, 'Authentik "results"')) {
      const user = mapAuthentikUser(item, this.settings.subjectField, this.readsGroups);
      if (typeof user === 'string') skipped.push(user);
      else users.push(user);
    }
    return {
      page: { users, total: numberField(pagination.count, 'pagination.count'), skipped: skipped.length, skippedReason: skipped[0] },
      current,
      next: numberField(pagination.next, 'pagination.next'),
      totalPages: numberField(pagination.total_pages, 'pagination.total_pages'),
    };
  }

  /** The login reads Authentik's `groups` claim (group names) as roles: then, and only then, the sync writes them. */
  private get readsGroups(): boolean {
    return this.settings.rolesClaim === 'groups';
  }
}

/** Authentik's 403s, in words: a bad token, or a token whose user may not view all users. */
function explainAuthentikError(error: unknown): unknown {
  if (!(error instanceof UserSyncError) || error.status !== 403) return error;
  if (/token invalid|expired/i.test(error.detail ?? '')) {
    return new UserSyncError(
      'SYNC_SOURCE_UNAUTHORIZED',
      `Authentik refused the API token (403 "${error.detail}"): set sync.token (AUTH_SYNC_TOKEN) to a valid token with intent "API"`,
      { cause: error, status: 403, detail: error.detail },
    );
  }
  return new UserSyncError(
    'SYNC_SOURCE_UNAUTHORIZED',
    `Authentik refused to list users (403${error.detail ? ` "${error.detail}"` : ''}): the API token's user needs the global permission "Can view User" (authentik_core.view_user), ` +
      'e.g. through a role assigned to its group; object permissions on single users are not enough, and the pass changed nothing',
    { cause: error, status: 403, detail: error.detail },
  );
}

function numberField(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0)
    throw new UserSyncError('SYNC_SOURCE_BAD_RESPONSE', `Authentik "${name}" is not a count`);
  return value;
}

/**
 * One Authentik user, or the reason it has no subject. The OIDC `sub` follows the provider's
 * "Subject mode" as authentik/providers/oauth2/id_token.py computes it: hashed user id → `uid`
 * (default), user id → `pk`, UUID → `uuid`, username → `username`, email → `email` (a user
 * without one gets an empty `sub` and cannot be matched: skipped), UPN → `attributes.upn`,
 * falling back to `uid` when the attribute is absent. Service accounts are never imported.
 */
export function mapAuthentikUser(raw: unknown, subjectField: string, withGroups = true): DirectoryUser | string {
  const user = asRecord(raw, 'Authentik user');
  const subject = authentikSubject(user, subjectField);
  if ('skip' in subject) return subject.skip;
  const groups = Array.isArray(user.groups_obj) ? user.groups_obj : [];
  return {
    ...toDirectoryUser('Authentik', subjectField, {
      subject: subject.value,
      username: user.username,
      fullName: user.name,
      email: user.email,
      avatar: user.avatar,
      active: user.is_active !== false,
      roles: withGroups
        ? groups
            .map((group) => (group && typeof group === 'object' ? (group as { name?: unknown }).name : undefined))
            .filter((name): name is string => typeof name === 'string')
        : null,
    }),
    importable: !SERVICE_ACCOUNT_TYPES.has(String(user.type)),
  };
}

function authentikSubject(user: Record<string, unknown>, subjectField: string): { value: unknown } | { skip: string } {
  if (subjectField === 'email') {
    if (typeof user.email === 'string' && user.email !== '') return { value: user.email };
    return { skip: 'users without an email cannot be matched under the "email" subject mode (Authentik gives them an empty sub)' };
  }
  if (subjectField === 'attributes.upn' || subjectField === 'upn') {
    const attributes = user.attributes && typeof user.attributes === 'object' ? (user.attributes as Record<string, unknown>) : {};
    if (!('upn' in attributes)) return { value: user.uid };
    if (typeof attributes.upn === 'string' && attributes.upn !== '') return { value: attributes.upn };
    return { skip: 'users whose "upn" attribute is empty cannot be matched under the "upn" subject mode' };
  }
  return { value: readPath(user, subjectField) };
}
