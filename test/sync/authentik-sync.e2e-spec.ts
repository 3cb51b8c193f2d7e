import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { UserSyncError } from '../../lib/sync/user-sync.errors.js';
import { FakeAuthentik } from './support/fake-authentik.js';
import { authentikUid, makePeople } from './support/fake-directory-server.js';
import { SyncHarness } from './support/sync-harness.js';

describe('user sync from Authentik (real HTTP on loopback, real database)', () => {
  let h: SyncHarness;
  let authentik: FakeAuthentik;

  beforeAll(async () => {
    h = await SyncHarness.create();
    authentik = await new FakeAuthentik().start();
    authentik.maxPageSize = 20;
  });

  afterAll(async () => {
    await authentik?.close();
    await h?.close();
  });

  beforeEach(() => {
    authentik.clearFailures();
    authentik.requests.length = 0;
  });

  // The login reads Authentik's `groups` claim as roles, so the sync writes group names.
  const options = () => ({
    source: 'authentik' as const,
    url: authentik.url,
    token: authentik.token,
    pageSize: 500,
    importUsers: true,
    rolesClaim: 'groups',
  });

  it('imports every user across pages the server caps at 20, skipping outpost accounts', async () => {
    authentik.people = makePeople(55);
    const existing = await h.seed(authentikUid(3), { email: 'old@example.com', displayName: 'Old Name' });

    const summary = await h.service(options()).runOnce();

    expect(summary).toMatchObject({ skipped: false, fetched: 56, created: 54, updated: 1, deactivated: 0, unchanged: 0 });
    expect(authentik.requests.map((u) => u.searchParams.get('page')).sort()).toEqual(['1', '2', '3']);
    expect(
      authentik.requests.every((u) => u.searchParams.get('include_groups') === 'true' && u.searchParams.get('ordering') === 'pk'),
    ).toBe(true);
    const users = await h.users();
    expect(users.size).toBe(55);
    const third = users.get(authentikUid(3))!;
    expect(third).toMatchObject({
      id: existing,
      email: 'user3@example.com',
      display_name: 'First3 Last3',
      username: 'user3',
      active: true,
      roles: ['staff'],
    });
    expect(third.avatar_url).toMatch(/^https:\/\/www\.gravatar\.com\/avatar\/[0-9a-f]{64}\?d=identicon$/);
    expect(users.get(authentikUid(1))!.roles).toEqual(['admins', 'staff']);
    expect([...users.values()].some((u) => u.username?.startsWith('ak-outpost'))).toBe(false);
    expect(await h.count('auth_sync_seen')).toBe(0);
  });

  it('rewrites only what changed and leaves the rest untouched', async () => {
    const before = await h.users();
    authentik.people[4].firstName = 'Renamed';
    authentik.people[7].email = 'NEW7@Example.com';
    authentik.people[9].avatar = 'https://cdn.example.com/u10.png';

    const summary = await h.service(options()).runOnce();

    expect(summary).toMatchObject({ fetched: 56, created: 0, updated: 3, deactivated: 0, unchanged: 52 });
    const after = await h.users();
    expect(after.get(authentikUid(5))!.display_name).toBe('Renamed Last5');
    expect(after.get(authentikUid(8))!.email).toBe('new7@example.com');
    expect(after.get(authentikUid(10))!.avatar_url).toBe('https://cdn.example.com/u10.png');
    expect(after.get(authentikUid(1))!.updated_at).toEqual(before.get(authentikUid(1))!.updated_at);
  });

  it('deactivates users disabled at the provider or deleted there, and reactivates them when re-enabled', async () => {
    const outsider = await h.seed('someone-at-another-issuer', { issuer: 'https://other.example.test/' });
    authentik.people[0].active = false;
    const deleted = authentik.people.splice(1, 2);

    const summary = await h.service(options()).runOnce();

    expect(summary).toMatchObject({ fetched: 54, updated: 0, deactivated: 3, unchanged: 52 });
    const users = await h.users();
    expect(users.get(authentikUid(1))!.active).toBe(false);
    expect(users.get(authentikUid(2))!.active).toBe(false);
    expect(users.get(authentikUid(3))!.active).toBe(false);
    expect(users.get(authentikUid(4))!.active).toBe(true);
    const [other] = await h.dataSource.query<Array<{ active: boolean }>>(`SELECT active FROM auth_users WHERE id = $1`, [outsider]);
    expect(other.active).toBe(true);

    authentik.people[0].active = true;
    authentik.people.splice(1, 0, ...deleted);
    const again = await h.service(options()).runOnce();
    expect(again).toMatchObject({ updated: 3, deactivated: 0, unchanged: 52 });
    expect([...(await h.users()).values()].every((u) => u.active)).toBe(true);
  });

  it('completes when a page fails twice (503 with Retry-After, then a reset) and then succeeds', async () => {
    authentik.fail((u) => u.searchParams.get('page') === '2', { times: 1, status: 503, retryAfter: '0' });
    authentik.fail((u) => u.searchParams.get('page') === '2', { times: 1, status: 'reset' });

    const summary = await h.service(options()).runOnce();

    expect(summary).toMatchObject({ skipped: false, fetched: 56, deactivated: 0 });
    expect(authentik.requests.filter((u) => u.searchParams.get('page') === '2')).toHaveLength(3);
  });

  it('fails without deactivating anybody when a page keeps failing, and records the failure', async () => {
    authentik.people[0].active = false;
    authentik.people.pop();
    authentik.people[1].firstName = 'Changed';
    authentik.fail((u) => u.searchParams.get('page') === '3', { status: 502 });

    const error = await h
      .service({ ...options(), retries: 2 })
      .runOnce()
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(UserSyncError);
    expect((error as UserSyncError).code).toBe('SYNC_SOURCE_UNAVAILABLE');
    expect(authentik.requests.filter((u) => u.searchParams.get('page') === '3')).toHaveLength(3);
    expect([...(await h.users()).values()].every((u) => u.active)).toBe(true);
    const last = (await h.runs()).at(-1)!;
    expect(last).toMatchObject({ outcome: 'failed', fetched: 40 });
    expect(last.error).toContain('SYNC_SOURCE_UNAVAILABLE');
    expect(last.error).not.toContain(authentik.token);
    expect(await h.count('auth_sync_seen')).toBe(0);
    authentik.people[0].active = true;
    authentik.people[1].firstName = 'First2';
  });

  it('changes nothing and does not retry when the token is refused (403)', async () => {
    const before = await h.users();
    const runsBefore = (await h.runs()).length;

    const error = await h
      .service({ ...options(), token: 'wrong-token' })
      .runOnce()
      .catch((e: unknown) => e);

    expect((error as UserSyncError).code).toBe('SYNC_SOURCE_UNAUTHORIZED');
    expect((error as Error).message).not.toContain('wrong-token');
    expect(authentik.requests).toHaveLength(1);
    expect(await h.users()).toEqual(before);
    const runs = await h.runs();
    expect(runs).toHaveLength(runsBefore + 1);
    expect(runs.at(-1)).toMatchObject({ outcome: 'failed', created: 0, updated: 0, deactivated: 0 });
  });

  it('deactivates nobody when a complete listing is empty', async () => {
    const people = authentik.people;
    authentik.people = [];
    authentik.serviceAccounts = 0;

    const summary = await h.service(options()).runOnce();

    expect(summary).toMatchObject({ fetched: 0, deactivated: 0 });
    expect(summary.deactivationSkipped).toMatch(/listed nobody/);
    expect([...(await h.users()).values()].filter((u) => !u.active)).toHaveLength(0);
    authentik.people = people;
    authentik.serviceAccounts = 1;
  });

  it('stops writing at the next batch once another replica took the lease over, and deactivates nobody', async () => {
    authentik.delayMs = 30;
    const service = h.service({ ...options(), batchSize: 5, prefetchPages: 1 });
    const pass = service.runOnce().catch((e: unknown) => e);
    const deadline = Date.now() + 10_000;
    while (!(await h.runs()).some((r) => r.outcome === 'running') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    await h.dataSource.query(`UPDATE auth_sync_runs SET outcome = 'abandoned', finished_at = now() WHERE outcome = 'running'`);
    authentik.people[0].active = false;

    const error = await pass;
    authentik.delayMs = 0;
    authentik.people[0].active = true;

    expect(error).toMatchObject({ code: 'SYNC_LEASE_LOST' });
    expect([...(await h.users()).values()].every((u) => u.active)).toBe(true);
  });

  it('skips a pass while another one runs on this instance', async () => {
    const service = h.service(options());
    authentik.delayMs = 50;
    const [first, second] = await Promise.all([service.runOnce(), service.runOnce()]);
    authentik.delayMs = 0;
    expect(first.skipped).toBe(false);
    expect(second).toMatchObject({ skipped: true, runId: null });
  });
});
