import type { IncomingMessage } from 'node:http';
import { type PaginatedUserList, type User, UserTypeEnum } from '@goauthentik/api';
import { errorToWire, userListToWire } from './authentik-wire.js';
import { authentikUid, FakeDirectoryServer, type FakePerson, type FakeResponse, intParam } from './fake-directory-server.js';

/** What the API token's user may see: everything, some users by object permission, or nothing. */
export type AuthentikVisibility = 'global' | { objects: number[] } | 'none';

/**
 * Authentik's `GET /api/v3/core/users/` as Authentik 2026.8 answers it (types from
 * `@goauthentik/api`, behaviour from authentik/api/pagination.py, authentik/rbac/filters.py and
 * authentik/api/authentication.py): page-number paging, `page_size` capped at the tenant's
 * `maxPageSize` (default 100) and 20 when not given, `pagination.next` 0 on the last page,
 * `404 {"detail":"Invalid page."}` past the end, `403 {"detail":"Token invalid/expired"}` for a
 * bad token, `403 {"detail":"You do not have permission…"}` when the token's user has neither
 * the global view permission nor any object permission (with object permissions on some users,
 * a 200 listing only those), `include_groups=false` → `groups_obj: null`, and the embedded
 * outpost's internal service account plus any service accounts in the listing.
 */
export class FakeAuthentik extends FakeDirectoryServer {
  maxPageSize = 100;
  /** Outpost accounts (`internal_service_account`), listed after the people, as Authentik does. */
  serviceAccounts = 1;
  /** pks of people whose `type` is `service_account` (API tokens' users). */
  serviceAccountPks = new Set<number>();
  visibility: AuthentikVisibility = 'global';

  constructor(readonly token = 'authentik-api-token') {
    super();
  }

  protected baseUrl(origin: string): string {
    return origin;
  }

  protected handle(req: IncomingMessage, url: URL): FakeResponse {
    if (url.pathname !== '/api/v3/core/users/') return { status: 404, body: errorToWire({ detail: 'Not found.' }) };
    if (this.bearer(req) !== this.token) return { status: 403, body: errorToWire({ detail: 'Token invalid/expired' }) };
    const withGroups = url.searchParams.get('include_groups') !== 'false';
    let all = [
      ...this.people.map((p) => authentikUser(p, withGroups, this.serviceAccountPks.has(p.pk))),
      ...Array.from({ length: this.serviceAccounts }, (_, i) => outpost(100_000 + i)),
    ];
    if (this.visibility === 'none')
      return { status: 403, body: errorToWire({ detail: 'You do not have permission to perform this action.' }) };
    if (this.visibility !== 'global') {
      const visible = new Set(this.visibility.objects);
      all = all.filter((u) => visible.has(u.pk));
    }
    if (url.searchParams.get('ordering') === 'pk') all.sort((a, b) => a.pk - b.pk);
    const size = url.searchParams.has('page_size') ? Math.min(Math.max(intParam(url, 'page_size', 20), 1), this.maxPageSize) : 20;
    const page = intParam(url, 'page', 1);
    const pages = Math.max(1, Math.ceil(all.length / size));
    if (page < 1 || page > pages) return { status: 404, body: errorToWire({ detail: 'Invalid page.' }) };
    const results = all.slice((page - 1) * size, page * size);
    const list: PaginatedUserList = {
      pagination: {
        next: page < pages ? page + 1 : 0,
        previous: page > 1 ? page - 1 : 0,
        count: all.length,
        current: page,
        totalPages: pages,
        startIndex: results.length ? (page - 1) * size + 1 : 0,
        endIndex: (page - 1) * size + results.length,
      },
      results,
      autocomplete: {},
    };
    return { status: 200, body: userListToWire(list) };
  }
}

const JOINED = new Date('2026-01-05T10:00:00Z');

export function authentikUser(p: FakePerson, withGroups = true, serviceAccount = false): User {
  return {
    pk: p.pk,
    username: p.username,
    name: `${p.firstName} ${p.lastName}`.trim(),
    isActive: p.active,
    lastLogin: null,
    dateJoined: JOINED,
    isSuperuser: false,
    groups: p.groups.map((_, i) => groupPk(i)),
    groupsObj: withGroups ? p.groups.map((name, i) => ({ pk: groupPk(i), numPk: i + 1, name, isSuperuser: false, attributes: {} })) : null,
    roles: [],
    rolesObj: null,
    email: p.email ?? '',
    avatar: p.avatar ?? 'data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=',
    attributes: p.upn === undefined ? {} : { upn: p.upn },
    uid: authentikUid(p.pk),
    path: serviceAccount ? 'goauthentik.io/service-accounts' : 'users',
    type: serviceAccount ? UserTypeEnum.ServiceAccount : UserTypeEnum.Internal,
    uuid: p.id,
    passwordChangeDate: JOINED,
    lastUpdated: JOINED,
  };
}

function groupPk(i: number): string {
  return `00000000-0000-4000-8000-00000000000${i}`;
}

function outpost(pk: number): User {
  return {
    pk,
    username: `ak-outpost-${pk}`,
    name: 'Outpost authentik Embedded Outpost Service-Account',
    isActive: true,
    dateJoined: JOINED,
    isSuperuser: false,
    groups: [],
    groupsObj: [],
    rolesObj: null,
    email: '',
    avatar: 'data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=',
    attributes: {},
    uid: authentikUid(pk),
    path: 'goauthentik.io/outposts',
    type: UserTypeEnum.InternalServiceAccount,
    uuid: '11111111-1111-4111-8111-111111111111',
    passwordChangeDate: JOINED,
    lastUpdated: JOINED,
  };
}
