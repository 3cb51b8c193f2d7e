import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Which of the generated users the second pass sees changed. */
export interface ListingChanges {
  /** Every 10th user (10%) has a new name. */
  renamed: boolean;
  /** 1% disabled (i % 100 === 1) and 1% deleted (i % 100 === 2). */
  disabledAndDeleted: boolean;
}

export const BENCH_TOKEN = 'bench-authentik-token';

export function benchUid(i: number): string {
  return createHash('sha256').update(`bench-${i}`).digest('hex');
}

/**
 * Authentik's `GET /api/v3/core/users/` over `count` generated users, built per request so the
 * server holds nothing per user: page-number paging capped at `maxPageSize` (20 by default),
 * `include_groups`, 404 past the last page, bearer token (the wire shape of test/sync's fake).
 */
export function serveAuthentikListing(
  count: number,
  maxPageSize: number,
): { server: Server; ready: Promise<number>; changes: ListingChanges } {
  const changes: ListingChanges = { renamed: false, disabledAndDeleted: false };
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.headers.authorization !== `Bearer ${BENCH_TOKEN}`) {
      res.writeHead(403, { 'content-type': 'application/json' }).end('{"detail":"Token invalid/expired"}');
      return;
    }
    const ids = changes.disabledAndDeleted ? listedIds(count) : undefined;
    const total = ids ? ids.length : count;
    // As Authentik's Pagination.get_page_size: 20 without page_size, else capped at the tenant's maximum.
    const size = url.searchParams.has('page_size') ? Math.min(Number(url.searchParams.get('page_size')), maxPageSize) : 20;
    const page = Number(url.searchParams.get('page') ?? 1);
    const pages = Math.max(1, Math.ceil(total / size));
    if (page < 1 || page > pages) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"detail":"Invalid page."}');
      return;
    }
    const withGroups = url.searchParams.get('include_groups') !== 'false';
    const results = [];
    for (let k = (page - 1) * size; k < Math.min(page * size, total); k++) results.push(user(ids ? ids[k] : k + 1, changes, withGroups));
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        pagination: {
          next: page < pages ? page + 1 : 0,
          previous: page - 1,
          count: total,
          current: page,
          total_pages: pages,
          start_index: (page - 1) * size + 1,
          end_index: (page - 1) * size + results.length,
        },
        results,
        autocomplete: {},
      }),
    );
  });
  const ready = new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
  return { server, ready, changes };
}

let cachedIds: number[] | undefined;
function listedIds(count: number): number[] {
  cachedIds ??= Array.from({ length: count }, (_, k) => k + 1).filter((i) => i % 100 !== 2);
  return cachedIds;
}

function user(i: number, changes: ListingChanges, withGroups: boolean): Record<string, unknown> {
  const renamed = changes.renamed && i % 10 === 0;
  return {
    pk: i,
    username: `user${i}`,
    name: renamed ? `Renamed User ${i}` : `User Number ${i}`,
    is_active: !(changes.disabledAndDeleted && i % 100 === 1),
    last_login: null,
    is_superuser: false,
    groups: ['5f1b0c3e-0000-4000-8000-000000000001'],
    groups_obj: withGroups
      ? [
          {
            pk: '5f1b0c3e-0000-4000-8000-000000000001',
            num_pk: 1,
            name: i % 50 === 0 ? 'admins' : 'staff',
            is_superuser: false,
            attributes: {},
          },
        ]
      : null,
    roles: [],
    roles_obj: null,
    email: `user${i}@bench.example.com`,
    avatar: `https://www.gravatar.com/avatar/${i}?d=identicon`,
    attributes: {},
    uid: benchUid(i),
    path: 'users',
    type: 'internal',
    uuid: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    date_joined: '2026-01-05T10:00:00.000000Z',
    password_change_date: '2026-01-05T10:00:00.000000Z',
    last_updated: '2026-01-05T10:00:00.000000Z',
  };
}
