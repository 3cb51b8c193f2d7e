import type { IncomingMessage } from 'node:http';
import { authentikUid, FakeDirectoryServer, type FakePerson, type FakeResponse, intParam } from './fake-directory-server.js';

/**
 * Authentik's `GET /api/v3/core/users/` as Authentik 2025.x answers it: page-number paging
 * capped at `maxPageSize`, `pagination.next` 0 on the last page, 404 past the end, 403 for a
 * bad token, and outpost service accounts in the listing.
 */
export class FakeAuthentik extends FakeDirectoryServer {
  maxPageSize = 100;
  /** Listed after the people, as Authentik lists its outpost accounts. */
  serviceAccounts = 1;

  constructor(readonly token = 'authentik-api-token') {
    super();
  }

  protected baseUrl(origin: string): string {
    return origin;
  }

  protected handle(req: IncomingMessage, url: URL): FakeResponse {
    if (url.pathname !== '/api/v3/core/users/') return { status: 404, body: { detail: 'Not found.' } };
    if (this.bearer(req) !== this.token) return { status: 403, body: { detail: 'Token invalid/expired' } };
    const all = [...this.people.map(authentikUser), ...Array.from({ length: this.serviceAccounts }, (_, i) => outpost(100_000 + i))];
    const size = Math.min(Math.max(intParam(url, 'page_size', 20), 1), this.maxPageSize);
    const page = intParam(url, 'page', 1);
    const pages = Math.max(1, Math.ceil(all.length / size));
    if (page < 1 || page > pages) return { status: 404, body: { detail: 'Invalid page.' } };
    const results = all.slice((page - 1) * size, page * size);
    return {
      status: 200,
      body: {
        pagination: {
          next: page < pages ? page + 1 : 0,
          previous: page > 1 ? page - 1 : 0,
          count: all.length,
          current: page,
          total_pages: pages,
          start_index: results.length ? (page - 1) * size + 1 : 0,
          end_index: (page - 1) * size + results.length,
        },
        results,
        autocomplete: {},
      },
    };
  }
}

export function authentikUser(p: FakePerson): Record<string, unknown> {
  return {
    pk: p.pk,
    username: p.username,
    name: `${p.firstName} ${p.lastName}`.trim(),
    is_active: p.active,
    last_login: null,
    date_joined: '2026-01-05T10:00:00.000000Z',
    is_superuser: false,
    groups: p.groups.map((_, i) => `00000000-0000-4000-8000-00000000000${i}`),
    groups_obj: p.groups.map((name, i) => ({
      pk: `00000000-0000-4000-8000-00000000000${i}`,
      num_pk: i + 1,
      name,
      is_superuser: false,
      parent: null,
      parent_name: null,
      attributes: {},
    })),
    email: p.email ?? '',
    avatar: p.avatar ?? 'data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=',
    attributes: { upn: `${p.username}@corp.example.com` },
    uid: authentikUid(p.pk),
    path: 'users',
    type: 'internal',
    uuid: p.id,
    password_change_date: '2026-01-05T10:00:00.000000Z',
    last_updated: '2026-01-05T10:00:00.000000Z',
  };
}

function outpost(pk: number): Record<string, unknown> {
  return {
    pk,
    username: `ak-outpost-${pk}`,
    name: 'Outpost authentik Embedded Outpost Service-Account',
    is_active: true,
    groups: [],
    groups_obj: [],
    email: '',
    avatar: 'data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=',
    attributes: {},
    uid: authentikUid(pk),
    path: 'goauthentik.io/outposts',
    type: 'internal_service_account',
    uuid: '11111111-1111-4111-8111-111111111111',
  };
}
