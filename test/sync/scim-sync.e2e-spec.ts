import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { UserSyncError } from '../../lib/sync/user-sync.errors.js';
import { FakeScim } from './support/fake-scim.js';
import { makePeople } from './support/fake-directory-server.js';
import { SyncHarness } from './support/sync-harness.js';

describe('user sync from a SCIM 2.0 server (real HTTP on loopback, real database)', () => {
  let h: SyncHarness;
  let scim: FakeScim;

  beforeAll(async () => {
    h = await SyncHarness.create();
    scim = await new FakeScim().start();
    scim.maxPageSize = 7;
    scim.people = makePeople(30);
  });

  afterAll(async () => {
    await scim?.close();
    await h?.close();
  });

  beforeEach(() => {
    scim.requests.length = 0;
  });

  // The login reads a `groups` claim: SCIM group names become roles.
  const options = () => ({
    source: 'scim' as const,
    url: scim.url,
    token: scim.token,
    pageSize: 100,
    importUsers: true,
    rolesClaim: 'groups',
  });

  it('pages by startIndex through a server that returns fewer than asked, mapping displayName or name', async () => {
    const summary = await h.service(options()).runOnce();

    expect(summary).toMatchObject({ fetched: 30, created: 30, updated: 0, deactivated: 0 });
    expect(scim.requests.map((u) => (u.pathname.endsWith('/Users') ? u.searchParams.get('startIndex') : u.pathname))).toEqual([
      '/scim/v2/ServiceProviderConfig',
      '1',
      '8',
      '15',
      '22',
      '29',
    ]);
    const users = await h.users();
    expect(users.get(scim.people[1].id)).toMatchObject({ display_name: 'First2 Last2', email: 'user2@example.com', username: 'user2' });
    expect(users.get(scim.people[0].id)).toMatchObject({ display_name: 'First1 Last1', roles: ['admins', 'staff'] });
  });

  it('picks up changes, disables and deletions', async () => {
    scim.people[2].firstName = 'Changed';
    scim.people[3].active = false;
    scim.people.splice(4, 1);

    const summary = await h.service(options()).runOnce();

    expect(summary).toMatchObject({ fetched: 29, created: 0, updated: 1, deactivated: 2, unchanged: 27 });
    const active = [...(await h.users()).values()].filter((u) => u.active);
    expect(active).toHaveLength(28);
  });

  it('a page failing for good fails the pass and deactivates nobody', async () => {
    scim.people.splice(0, 1);
    scim.fail((u) => u.searchParams.get('startIndex') === '15', { status: 500 });
    const error = await h
      .service({ ...options(), retries: 1 })
      .runOnce()
      .catch((e: unknown) => e);
    scim.clearFailures();
    expect((error as UserSyncError).code).toBe('SYNC_SOURCE_UNAVAILABLE');
    expect([...(await h.users()).values()].filter((u) => u.active)).toHaveLength(28);
  });

  it('a wrong bearer token (401) changes nothing', async () => {
    const before = await h.users();
    const error = await h
      .service({ ...options(), token: 'nope' })
      .runOnce()
      .catch((e: unknown) => e);
    expect((error as UserSyncError).code).toBe('SYNC_SOURCE_UNAUTHORIZED');
    expect(await h.users()).toEqual(before);
  });
});
