import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { UserSyncError } from '../../lib/sync/user-sync.errors.js';
import { FakeKeycloak } from './support/fake-keycloak.js';
import { makePeople } from './support/fake-directory-server.js';
import { SyncHarness } from './support/sync-harness.js';

describe('user sync from the Keycloak Admin API (real HTTP on loopback, real database)', () => {
  let h: SyncHarness;
  let keycloak: FakeKeycloak;

  beforeAll(async () => {
    h = await SyncHarness.create();
    keycloak = await new FakeKeycloak().start();
    keycloak.maxPageSize = 15;
    keycloak.people = makePeople(40);
  });

  afterAll(async () => {
    await keycloak?.close();
    await h?.close();
  });

  const options = () => ({
    source: 'keycloak' as const,
    url: keycloak.url,
    clientId: keycloak.clientId,
    clientSecret: keycloak.clientSecret,
    pageSize: 20,
  });

  it('updates signed-in users by id across capped pages, refreshing the token when it expires mid-run', async () => {
    await h.seed(keycloak.people[0].id, { displayName: 'stale' });
    await h.seed(keycloak.people[39].id, { email: 'stale@example.com' });
    keycloak.people[0].avatar = 'https://cdn.example.com/kc1.png';
    keycloak.tokenUses = 2;

    const summary = await h.service(options()).runOnce();

    expect(summary).toMatchObject({ fetched: 40, created: 0, updated: 2, deactivated: 0, unchanged: 0 });
    expect(keycloak.tokensIssued).toBeGreaterThan(1);
    const firsts = keycloak.requests.filter((u) => u.pathname.endsWith('/users')).map((u) => u.searchParams.get('first'));
    expect([...new Set(firsts)]).toEqual(['0', '15', '30']);
    const users = await h.users();
    expect(users.size).toBe(2);
    expect(users.get(keycloak.people[0].id)).toMatchObject({
      display_name: 'First1 Last1',
      username: 'user1',
      email: 'user1@example.com',
      avatar_url: 'https://cdn.example.com/kc1.png',
      roles: [],
    });
    expect(users.get(keycloak.people[39].id)).toMatchObject({ display_name: 'First40 Last40', email: 'user40@example.com' });
  });

  it('falls back to the user name and deactivates disabled and deleted users', async () => {
    keycloak.tokenUses = Number.POSITIVE_INFINITY;
    const gone = await h.seed('deleted-in-keycloak');
    keycloak.people[0].firstName = '';
    keycloak.people[0].lastName = '';
    keycloak.people[39].active = false;

    const summary = await h.service({ ...options(), importUsers: true }).runOnce();

    expect(summary).toMatchObject({ fetched: 40, created: 38, updated: 1, deactivated: 2, unchanged: 0 });
    const users = await h.users();
    expect(users.get(keycloak.people[0].id)!.display_name).toBe('user1');
    expect(users.get(keycloak.people[39].id)!.active).toBe(false);
    const [row] = await h.dataSource.query<Array<{ active: boolean }>>(`SELECT active FROM auth_users WHERE id = $1`, [gone]);
    expect(row.active).toBe(false);
  });

  it('changes nothing when the service-account secret is wrong', async () => {
    const before = await h.users();
    const error = await h
      .service({ ...options(), clientSecret: 'wrong' })
      .runOnce()
      .catch((e: unknown) => e);
    expect((error as UserSyncError).code).toBe('SYNC_SOURCE_UNAUTHORIZED');
    expect((error as Error).message).not.toContain('wrong');
    expect(await h.users()).toEqual(before);
  });
});
