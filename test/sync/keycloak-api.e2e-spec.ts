import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { UserSyncOptions } from '../../lib/sync/user-sync.options.js';
import { UserSyncError } from '../../lib/sync/user-sync.errors.js';
import { makePeople } from './support/fake-directory-server.js';
import { FakeKeycloak } from './support/fake-keycloak.js';
import { SyncHarness } from './support/sync-harness.js';

/** Keycloak's URL forms, credential and permission errors, and realm roles. */
describe('user sync against the Keycloak Admin API as it really answers', () => {
  let h: SyncHarness;
  let keycloak: FakeKeycloak;

  beforeAll(async () => {
    h = await SyncHarness.create();
    keycloak = await new FakeKeycloak().start();
  });

  afterAll(async () => {
    await keycloak?.close();
    await h?.close();
  });

  beforeEach(async () => {
    await h.dataSource.query(`TRUNCATE auth_users, auth_identities, auth_sync_runs CASCADE`);
    keycloak.people = makePeople(30);
    keycloak.maxPageSize = 100;
    keycloak.canViewUsers = true;
    keycloak.requests.length = 0;
    keycloak.maxRoleRequestsInFlight = 0;
  });

  const options = (extra: UserSyncOptions = {}): UserSyncOptions => ({
    source: 'keycloak',
    url: keycloak.url,
    clientId: keycloak.clientId,
    clientSecret: keycloak.clientSecret,
    pageSize: 10,
    ...extra,
  });

  it('accepts the Admin API URL as well as the realm URL', async () => {
    const adminUrl = keycloak.url.replace('/realms/', '/admin/realms/');
    expect(adminUrl).toMatch(/\/admin\/realms\/test$/);

    const summary = await h.service(options({ url: adminUrl, importUsers: true })).runOnce();

    expect(summary).toMatchObject({ fetched: 30, created: 30 });
    expect(keycloak.requests.some((u) => u.pathname === '/realms/test/protocol/openid-connect/token')).toBe(true);
  });

  it('a wrong client secret fails naming AUTH_SYNC_CLIENT_ID and AUTH_SYNC_CLIENT_SECRET, never the secret', async () => {
    const error = await h
      .service(options({ clientSecret: 'not-the-secret' }))
      .runOnce()
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(UserSyncError);
    expect(error).toMatchObject({ code: 'SYNC_SOURCE_UNAUTHORIZED', status: 401 });
    expect((error as Error).message).toMatch(
      /Keycloak refused the service-account client "nestflux-sync".*unauthorized_client.*AUTH_SYNC_CLIENT_ID and AUTH_SYNC_CLIENT_SECRET/,
    );
    expect((error as Error).message).not.toContain('not-the-secret');
  });

  it('a service account without view-users gets 403: the pass fails naming the role', async () => {
    keycloak.canViewUsers = false;
    const error = await h
      .service(options())
      .runOnce()
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'SYNC_SOURCE_UNAUTHORIZED', status: 403 });
    expect((error as Error).message).toMatch(/realm-management role view-users/);
  });

  it('without AUTH_SYNC_ROLES the stored roles stay and no role mapping is read', async () => {
    await h.seed(keycloak.people[0].id, { roles: ['from-login'] });
    await h.service(options()).runOnce();
    expect((await h.users()).get(keycloak.people[0].id)!.roles).toEqual(['from-login']);
    expect(keycloak.requests.some((u) => u.pathname.includes('role-mappings'))).toBe(false);
  });

  it('AUTH_SYNC_ROLES: effective realm roles per user (what realm_access.roles carries), a bounded number at a time', async () => {
    await h.seed(keycloak.people[0].id, { roles: ['from-login'] });
    keycloak.realmRoles.set(keycloak.people[0].id, ['admin']);

    const summary = await h
      .service(options({ syncRoles: true, rolesClaim: 'realm_access.roles', rolesConcurrency: 3, importUsers: true }))
      .runOnce();

    expect(summary).toMatchObject({ fetched: 30, created: 29, updated: 1 });
    const users = await h.users();
    expect(users.get(keycloak.people[0].id)!.roles).toEqual(['admin', 'default-roles-test', 'offline_access', 'uma_authorization']);
    expect(users.get(keycloak.people[1].id)!.roles).toEqual(['default-roles-test', 'offline_access', 'uma_authorization']);
    expect(keycloak.requests.filter((u) => u.pathname.endsWith('/role-mappings/realm/composite'))).toHaveLength(30);
    expect(keycloak.maxRoleRequestsInFlight).toBeGreaterThan(1);
    expect(keycloak.maxRoleRequestsInFlight).toBeLessThanOrEqual(3);
  });
});
