import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { UserSyncOptions } from '../../lib/sync/user-sync.options.js';
import { UserSyncError } from '../../lib/sync/user-sync.errors.js';
import { FakeAuthentik } from './support/fake-authentik.js';
import { authentikUid, makePeople } from './support/fake-directory-server.js';
import { SyncHarness } from './support/sync-harness.js';
import { startSyncApp } from './support/sync-test-module.js';
import { UserSyncService } from '../../lib/sync/user-sync.service.js';

/** Authentik's awkward parts: service accounts, subject modes, permissions, roles. */
describe('user sync against Authentik as its API really answers', () => {
  let h: SyncHarness;
  let authentik: FakeAuthentik;

  beforeAll(async () => {
    h = await SyncHarness.create();
    authentik = await new FakeAuthentik().start();
  });

  afterAll(async () => {
    await authentik?.close();
    await h?.close();
  });

  beforeEach(async () => {
    authentik.people = makePeople(12);
    authentik.serviceAccountPks = new Set();
    authentik.serviceAccounts = 1;
    authentik.visibility = 'global';
    authentik.requests.length = 0;
    await h.dataSource.query(`TRUNCATE auth_users, auth_identities, auth_sync_runs CASCADE`);
  });

  const options = (extra: UserSyncOptions = {}): UserSyncOptions => ({
    source: 'authentik',
    url: authentik.url,
    token: authentik.token,
    pageSize: 5,
    ...extra,
  });

  it('never imports service accounts, but updates (and keeps active) the ones that already have a local user', async () => {
    authentik.serviceAccountPks = new Set([2, 3]);
    await h.seed(authentikUid(3), { displayName: 'old' });
    await h.seed(authentikUid(100_000), { displayName: 'outpost, signed in once' });

    const summary = await h.service(options({ importUsers: true })).runOnce();

    expect(summary).toMatchObject({ fetched: 13, created: 10, updated: 2, deactivated: 0, matched: 2 });
    const users = await h.users();
    expect(users.has(authentikUid(2))).toBe(false);
    expect(users.get(authentikUid(3))).toMatchObject({ display_name: 'First3 Last3', active: true });
    expect(users.get(authentikUid(100_000))).toMatchObject({
      display_name: 'Outpost authentik Embedded Outpost Service-Account',
      active: true,
    });
  });

  it('email subject mode: a user without an email is skipped and counted, not a failed pass', async () => {
    authentik.people[4].email = null;
    await h.seed('user1@example.com', { displayName: 'old' });

    const summary = await h.service(options({ subjectField: 'email', importUsers: true })).runOnce();

    // The outpost account has no email either.
    expect(summary).toMatchObject({ fetched: 13, skippedUsers: 2, created: 10, updated: 1, deactivated: 0 });
    expect((await h.users()).get('user1@example.com')!.display_name).toBe('First1 Last1');
    expect((await h.runs()).at(-1)).toMatchObject({ outcome: 'completed', skipped: 2 });
  });

  it('UPN subject mode: the upn attribute, falling back to the hashed id (uid) when absent', async () => {
    authentik.people[0].upn = 'first1@corp.example';
    await h.seed('first1@corp.example', { displayName: 'old upn' });
    await h.seed(authentikUid(2), { displayName: 'old uid' });

    const summary = await h.service(options({ subjectField: 'attributes.upn' })).runOnce();

    expect(summary).toMatchObject({ matched: 2, updated: 2, deactivated: 0 });
    const users = await h.users();
    expect(users.get('first1@corp.example')!.display_name).toBe('First1 Last1');
    expect(users.get(authentikUid(2))!.display_name).toBe('First2 Last2');
  });

  it('a token whose user lacks "Can view User" gets 403: the pass fails naming the permission and changes nothing', async () => {
    await h.seed(authentikUid(1), { displayName: 'keep me' });
    authentik.visibility = 'none';

    const error = await h
      .service(options())
      .runOnce()
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(UserSyncError);
    expect(error).toMatchObject({ code: 'SYNC_SOURCE_UNAUTHORIZED', status: 403 });
    expect((error as Error).message).toMatch(/"Can view User" \(authentik_core\.view_user\)/);
    expect((await h.users()).get(authentikUid(1))).toMatchObject({ display_name: 'keep me', active: true });
    expect((await h.runs()).at(-1)).toMatchObject({ outcome: 'failed', deactivated: 0 });
  });

  it('object permissions that show only some users: the partial listing deactivates nobody (the limit holds it)', async () => {
    for (const p of authentik.people) await h.seed(authentikUid(p.pk));
    authentik.visibility = { objects: [1, 2, 3] };

    const summary = await h.service(options()).runOnce();

    expect(summary).toMatchObject({ fetched: 3, matched: 3, deactivated: 0 });
    expect(summary.deactivationHeld).toMatchObject({ reason: 'limit', wouldDeactivate: 9, activeUsers: 12, limit: 1 });
    expect([...(await h.users()).values()].every((u) => u.active)).toBe(true);
  });

  it('roles: group names are written only when the login reads the "groups" claim; otherwise stored roles stay', async () => {
    const id = await h.seed(authentikUid(1));
    await h.dataSource.query(`UPDATE auth_users SET roles = '["from-login"]' WHERE id = $1`, [id]);

    await h.service(options()).runOnce();
    expect((await h.users()).get(authentikUid(1))!.roles).toEqual(['from-login']);
    expect(authentik.requests.every((u) => u.searchParams.get('include_groups') === 'false')).toBe(true);

    await h.service(options({ rolesClaim: 'groups' })).runOnce();
    expect((await h.users()).get(authentikUid(1))!.roles).toEqual(['admins', 'staff']);
  });

  // A second connection next to the harness's: a real PostgreSQL (embedded PGlite serves one).
  const onServer = process.env.DATABASE_URL ? it : it.skip;
  onServer('inside AuthModule the roles claim comes from its rolesClaim: "groups" makes the sync write group names', async () => {
    await h.seed(authentikUid(1), { roles: ['from-login'] });
    const app = await startSyncApp(h.db.url, h.db.poolSize, { ...options(), cron: 'off', issuer: undefined }, ['groups']);
    try {
      await app.get(UserSyncService).runOnce();
    } finally {
      await app.close();
    }
    expect((await h.users()).get(authentikUid(1))!.roles).toEqual(['admins', 'staff']);
  });

  it('asks for pages beyond the cap and follows what the server numbered', async () => {
    authentik.people = makePeople(230);
    authentik.maxPageSize = 100;

    const summary = await h.service(options({ pageSize: 1000, importUsers: true })).runOnce();

    expect(summary).toMatchObject({ fetched: 231, created: 230 });
    expect(authentik.requests.map((u) => u.searchParams.get('page')).sort()).toEqual(['1', '2', '3']);
    authentik.maxPageSize = 100;
  });
});
