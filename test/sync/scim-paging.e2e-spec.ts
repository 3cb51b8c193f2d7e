import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { UserSyncOptions } from '../../lib/sync/user-sync.options.js';
import { UserSyncError } from '../../lib/sync/user-sync.errors.js';
import { makePeople } from './support/fake-directory-server.js';
import { FakeScim } from './support/fake-scim.js';
import { SyncHarness } from './support/sync-harness.js';

/** SCIM servers that page badly, or by cursor; which field is the `sub`; roles by claim. */
describe('SCIM paging and matching', () => {
  let h: SyncHarness;
  let scim: FakeScim;

  beforeAll(async () => {
    h = await SyncHarness.create();
    scim = await new FakeScim().start();
  });

  afterAll(async () => {
    await scim?.close();
    await h?.close();
  });

  beforeEach(async () => {
    await h.dataSource.query(`TRUNCATE auth_users, auth_identities, auth_sync_runs CASCADE`);
    scim.people = makePeople(25);
    scim.maxPageSize = 10;
    scim.paging = 'index';
    scim.serviceProviderConfig = true;
    scim.requests.length = 0;
  });

  const options = (extra: UserSyncOptions = {}): UserSyncOptions => ({
    source: 'scim',
    url: scim.url,
    token: scim.token,
    pageSize: 100,
    ...extra,
  });
  const seedAll = async () => {
    for (const p of scim.people) await h.seed(p.id, { displayName: 'before' });
  };

  it('a server that ignores startIndex (AWS IAM Identity Center) fails the pass: nobody deactivated, the message says paging is broken', async () => {
    await seedAll();
    scim.paging = 'ignores-start-index';

    const error = await h
      .service(options())
      .runOnce()
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(UserSyncError);
    expect(error).toMatchObject({ code: 'SYNC_SOURCE_BAD_RESPONSE' });
    expect((error as Error).message).toMatch(
      /^SCIM paging is broken: the server answered startIndex=1 when asked for startIndex=11 .*deactivates nobody/,
    );
    expect([...(await h.users()).values()].every((u) => u.active)).toBe(true);
    expect((await h.runs()).at(-1)).toMatchObject({ outcome: 'failed', deactivated: 0 });
  });

  it('a page that repeats the previous one fails the pass even when the server echoes no startIndex', async () => {
    await seedAll();
    scim.paging = 'ignores-start-index';
    scim.echoStartIndex = false;

    const error = await h
      .service(options())
      .runOnce()
      .catch((e: unknown) => e);
    scim.echoStartIndex = true;

    expect((error as Error).message).toMatch(/repeats the previous page/);
    expect([...(await h.users()).values()].every((u) => u.active)).toBe(true);
  });

  it('cursor paging (RFC 9865) when the ServiceProviderConfig offers it', async () => {
    await seedAll();
    scim.paging = 'cursor';
    scim.people.splice(0, 2);

    const summary = await h.service(options()).runOnce();

    expect(summary).toMatchObject({ fetched: 23, matched: 23, updated: 23, deactivated: 2 });
    const users = scim.requests.filter((u) => u.pathname.endsWith('/Users'));
    expect(users.map((u) => u.searchParams.get('cursor'))).toEqual(['', expect.stringMatching(/^c/), expect.stringMatching(/^c/)]);
    expect(users.every((u) => !u.searchParams.has('startIndex'))).toBe(true);
  });

  it('no ServiceProviderConfig: index paging', async () => {
    scim.serviceProviderConfig = false;
    const summary = await h.service(options({ importUsers: true })).runOnce();
    expect(summary).toMatchObject({ fetched: 25, created: 25 });
    expect(scim.requests.filter((u) => u.pathname.endsWith('/Users')).map((u) => u.searchParams.get('startIndex'))).toEqual([
      '1',
      '11',
      '21',
    ]);
  });

  it('subject field externalId (a SCIM server fed by the identity provider): the default "id" matches nobody and deactivates nobody', async () => {
    for (const p of scim.people) await h.seed(`ext-${p.pk}`, { displayName: 'before' });

    const wrong = await h.service(options()).runOnce();
    expect(wrong).toMatchObject({ matched: 0, deactivated: 0, deactivationHeld: { reason: 'no-match', wouldDeactivate: 25 } });
    expect(wrong.deactivationHeld!.message).toMatch(/scim field "id" is matched to the OIDC sub/);

    const right = await h.service(options({ subjectField: 'externalId' })).runOnce();
    expect(right).toMatchObject({ matched: 25, updated: 25, deactivated: 0, deactivationHeld: null });
  });

  it('roles: SCIM roles for a "roles" claim, group names for "groups", neither for another claim', async () => {
    await h.seed(scim.people[0].id, { roles: ['from-login'] });
    scim.personRoles.set(scim.people[0].id, ['editor']);

    await h.service(options({ rolesClaim: 'realm_access.roles' })).runOnce();
    expect((await h.users()).get(scim.people[0].id)!.roles).toEqual(['from-login']);
    await h.service(options({ rolesClaim: 'roles' })).runOnce();
    expect((await h.users()).get(scim.people[0].id)!.roles).toEqual(['editor']);
    await h.service(options({ rolesClaim: 'groups' })).runOnce();
    expect((await h.users()).get(scim.people[0].id)!.roles).toEqual(['admins', 'staff']);
  });
});
