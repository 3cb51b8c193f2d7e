import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { UserSyncOptions } from '../../lib/sync/user-sync.options.js';
import { FakeAuthentik } from './support/fake-authentik.js';
import { authentikUid, makePeople } from './support/fake-directory-server.js';
import { SyncHarness } from './support/sync-harness.js';

/** A listing that would deactivate too many deactivates nobody, says why, and is recorded. */
describe('the deactivation limit and the no-match guard', () => {
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

  /** 20 people in Authentik, all signed in here once (identities by the default subject, uid). */
  beforeEach(async () => {
    await h.dataSource.query(`TRUNCATE auth_users, auth_identities, auth_sync_runs CASCADE`);
    authentik.people = makePeople(20);
    for (const p of authentik.people) await h.seed(authentikUid(p.pk), { displayName: 'before' });
  });

  const options = (extra: UserSyncOptions = {}): UserSyncOptions => ({
    source: 'authentik',
    url: authentik.url,
    token: authentik.token,
    ...extra,
  });
  const active = async () => [...(await h.users()).values()].filter((u) => u.active).length;

  it('a wrong subject field matches nobody: nobody is deactivated, even with the limit at 100%', async () => {
    const summary = await h.service(options({ subjectField: 'uuid', deactivateLimit: '100%' })).runOnce();

    expect(summary).toMatchObject({ fetched: 21, matched: 0, deactivated: 0 });
    expect(summary.deactivationHeld).toMatchObject({ reason: 'no-match', wouldDeactivate: 20, activeUsers: 20 });
    expect(summary.deactivationHeld!.message).toMatch(/matched none of the local identities.*subject field.*field "uuid"/);
    expect(await active()).toBe(20);
    expect((await h.runs()).at(-1)).toMatchObject({
      outcome: 'completed',
      matched: 0,
      deactivated: 0,
      deactivation_candidates: 20,
      deactivation_held: summary.deactivationHeld!.message,
    });
  });

  it('over the default 10% it deactivates nobody but applies the other changes, naming the limit', async () => {
    authentik.people.splice(0, 3);

    const summary = await h.service(options()).runOnce();

    expect(summary).toMatchObject({ fetched: 18, matched: 17, updated: 17, deactivated: 0 });
    expect(summary.deactivationHeld).toMatchObject({ reason: 'limit', wouldDeactivate: 3, activeUsers: 20, limit: 2, limitSetting: '10%' });
    expect(summary.deactivationHeld!.message).toMatch(
      /would deactivate 3 of 20 active users, more than the deactivation limit of 2 \(sync\.deactivateLimit, AUTH_SYNC_DEACTIVATE_LIMIT=10%\)/,
    );
    expect(await active()).toBe(20);
    expect((await h.users()).get(authentikUid(4))!.display_name).toBe('First4 Last4');
    expect((await h.runs()).at(-1)).toMatchObject({ deactivation_candidates: 3, deactivation_limit: 2, matched: 17 });
  });

  it('at the limit it deactivates; disabled and missing users count alike', async () => {
    authentik.people.splice(0, 1);
    authentik.people[0].active = false;

    const summary = await h.service(options()).runOnce();

    expect(summary).toMatchObject({ deactivated: 2, deactivationHeld: null });
    expect(await active()).toBe(18);
  });

  it('a count limit: 3 may go, 4 may not', async () => {
    authentik.people.splice(0, 4);
    const held = await h.service(options({ deactivateLimit: '3' })).runOnce();
    expect(held).toMatchObject({ deactivated: 0, deactivationHeld: { reason: 'limit', limit: 3, limitSetting: '3' } });

    const allowed = await h.service(options({ deactivateLimit: 4 })).runOnce();
    expect(allowed).toMatchObject({ deactivated: 4, deactivationHeld: null });
    expect(await active()).toBe(16);
  });

  it('a first import on an empty database holds nothing', async () => {
    await h.dataSource.query(`TRUNCATE auth_users, auth_identities CASCADE`);
    const summary = await h.service(options({ importUsers: true })).runOnce();
    expect(summary).toMatchObject({ created: 20, matched: 0, deactivated: 0, deactivationHeld: null });
  });
});
