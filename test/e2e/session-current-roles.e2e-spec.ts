import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { signIn } from '../support/sample-app-harness.js';
import { statusWithin } from '../support/eventually.js';
import { sessionStores, startSampleAppOnStore } from '../support/session-stores.js';

/**
 * Issue 7, item 4 (session side): a session authorises with the user's current record, not the
 * roles copied into it at login. The attack: an admin removed at the provider (seen by the sync,
 * which rewrites `auth_users.roles`) keeps using the session opened while still an admin.
 */
describe.each(sessionStores)('sessions authorise with the current user record (sessions in %s)', (store) => {
  let sut: Awaited<ReturnType<typeof startSampleAppOnStore>>;
  let db: DataSource;

  beforeAll(async () => {
    sut = await startSampleAppOnStore(store);
    db = sut.running.app.get(DataSource);
  });
  afterAll(async () => {
    await sut?.close();
  });

  it('a role removed from the user record stops working in a session opened before', async () => {
    const { agent } = await signIn(sut.baseUrl, 'admin');
    expect((await agent.request(`${sut.baseUrl}/api/admin`)).status).toBe(200);

    // What the sync writes when the provider no longer lists the role.
    await db.query(`UPDATE auth_users u SET roles = '[]'::jsonb FROM auth_identities i WHERE i.user_id = u.id AND i.subject = 'admin'`);

    const res = await statusWithin(() => agent.request(`${sut.baseUrl}/api/admin`), 403);
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ code: 'AUTH_FORBIDDEN_ROLE' });
    const me = await agent.request(`${sut.baseUrl}/auth/me`);
    expect(((await me.json()) as { roles: string[] }).roles).toEqual([]);
  });

  it('a role granted in the user record works in a session opened before', async () => {
    const { agent } = await signIn(sut.baseUrl, 'promoted');
    expect((await agent.request(`${sut.baseUrl}/api/admin`)).status).toBe(403);
    await db.query(
      `UPDATE auth_users u SET roles = '["admin"]'::jsonb FROM auth_identities i WHERE i.user_id = u.id AND i.subject = 'promoted'`,
    );
    expect((await statusWithin(() => agent.request(`${sut.baseUrl}/api/admin`), 200)).status).toBe(200);
  });
});
