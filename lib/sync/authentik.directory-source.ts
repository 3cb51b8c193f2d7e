import { DirectoryHttpClient } from './directory-http.js';
import { asArray, asRecord, readPath, toDirectoryUser } from './directory-fields.js';
import type { DirectoryListOptions, DirectoryPage, DirectorySource, DirectoryUser } from './directory-source.interface.js';
import { UserSyncError } from './user-sync.errors.js';
import type { ResolvedUserSyncOptions } from './user-sync.options.js';

export type AuthentikSourceSettings = Pick<ResolvedUserSyncOptions, 'url' | 'token' | 'subjectField' | 'pageSize'>;

/**
 * Authentik's core API: `GET /api/v3/core/users/?page=&page_size=`, following
 * `pagination.next` until it is 0 (the server may cap `page_size`). The token needs the
 * "Can view User" permission; with less, Authentik lists nobody rather than answering 403.
 * Authentik's own outpost accounts (`internal_service_account`) are left out.
 */
export class AuthentikDirectorySource implements DirectorySource {
  readonly name = 'authentik';

  constructor(
    private readonly settings: AuthentikSourceSettings,
    private readonly http: DirectoryHttpClient,
  ) {}

  async *listUsers(options: DirectoryListOptions = {}): AsyncIterable<DirectoryPage> {
    const endpoint = new URL('api/v3/core/users/', `${this.settings.url}/`);
    let page = 1;
    while (page > 0) {
      const url = new URL(endpoint);
      url.searchParams.set('page', String(page));
      url.searchParams.set('page_size', String(this.settings.pageSize));
      url.searchParams.set('ordering', 'pk');
      const body = asRecord(await this.http.json(url, { headers: { authorization: `Bearer ${this.settings.token}` }, signal: options.signal }), 'Authentik user list');
      const pagination = asRecord(body.pagination, 'Authentik "pagination"');
      const results = asArray(body.results, 'Authentik "results"');
      const users = results
        .filter((raw) => asRecord(raw, 'Authentik user').type !== 'internal_service_account')
        .map((raw) => mapAuthentikUser(raw, this.settings.subjectField));
      yield { users, total: typeof pagination.count === 'number' ? pagination.count : undefined };
      const next = typeof pagination.next === 'number' ? pagination.next : 0;
      if (next !== 0 && next <= page) {
        throw new UserSyncError('SYNC_SOURCE_BAD_RESPONSE', `Authentik pagination went from page ${page} to ${next}`);
      }
      page = next;
    }
  }
}

/**
 * One Authentik user. The OIDC `sub` depends on the provider's "Subject mode": hashed user id
 * → `uid` (default), user id → `pk`, UUID → `uuid`, username → `username`, email → `email`,
 * UPN → `attributes.upn`; `sync.subjectField` picks the same one.
 */
export function mapAuthentikUser(raw: unknown, subjectField: string): DirectoryUser {
  const user = asRecord(raw, 'Authentik user');
  const groups = Array.isArray(user.groups_obj) ? user.groups_obj : [];
  return toDirectoryUser('Authentik', subjectField, {
    subject: readPath(user, subjectField),
    username: user.username,
    fullName: user.name,
    email: user.email,
    avatar: user.avatar,
    active: user.is_active !== false,
    roles: groups.map((group) => (group && typeof group === 'object' ? (group as { name?: unknown }).name : undefined)).filter((name): name is string => typeof name === 'string'),
  });
}
