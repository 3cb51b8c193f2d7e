import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AuthSessionService } from '@nestflux/auth';
import { hashSessionId } from '../../lib/session/session-id.js';
import { statusWithin } from '../support/eventually.js';
import { sessionStores } from '../support/session-stores.js';
import { obtainTokens } from '../support/token-client.js';
import {
  BED_CLIENT_ID,
  BED_CLIENT_SECRET,
  BED_SESSION_SECRET,
  REPLICAS,
  startSessionTestBed,
  type SessionTestBed,
} from '../support/session-test-bed.js';

interface SessionView {
  id: string;
  current: boolean;
  createdAt: string;
  lastSeenAt: string;
  ip: string | null;
  userAgent: string | null;
}

/**
 * Issue 11: session management. A user sees their live sessions (opaque ids, never the cookie
 * value), ends one or all others, on any replica, effective at once on every replica.
 */
describe.each(sessionStores)('session management: GET/DELETE /auth/sessions (two replicas, sessions in %s)', (store) => {
  let bed: SessionTestBed;
  let a: string;
  let b: string;

  beforeAll(async () => {
    bed = await startSessionTestBed({ instances: REPLICAS, store });
    a = bed.apps[0].base;
    b = bed.apps[bed.apps.length - 1].base;
  });
  afterAll(async () => {
    await bed?.close();
  });

  async function browser(login: string): Promise<{ cookie: string; value: string }> {
    const agent = await bed.signIn(login);
    const value = agent.cookie(new URL(a).host, 'nestflux.sid')!;
    return { cookie: `nestflux.sid=${value}`, value };
  }
  const get = (base: string, path: string, headers: Record<string, string>) => fetch(`${base}${path}`, { headers });
  const del = async (base: string, path: string, cookie: string) => {
    const csrf = await fetch(`${base}/auth/csrf`, { headers: { cookie } });
    const token = csrf.status === 200 ? ((await csrf.json()) as { token: string }).token : '';
    return fetch(`${base}${path}`, { method: 'DELETE', headers: { cookie, 'x-csrf-token': token } });
  };
  const list = async (base: string, cookie: string): Promise<SessionView[]> => {
    const res = await get(base, '/auth/sessions', { cookie });
    expect(res.status).toBe(200);
    return (await res.json()) as SessionView[];
  };

  it("lists the user's live sessions with opaque ids, the current one marked, client IP and user agent", async () => {
    const one = await browser('manager');
    const two = await browser('manager');
    await browser('someone-else');
    const sessions = await list(a, one.cookie);
    expect(sessions).toHaveLength(2);
    expect(sessions.filter((s) => s.current)).toHaveLength(1);
    for (const s of sessions) {
      expect(s.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(s.id).not.toBe(one.value);
      expect(s.id).not.toBe(hashSessionId(BED_SESSION_SECRET, one.value));
      expect(Number.isNaN(Date.parse(s.createdAt))).toBe(false);
      expect(Number.isNaN(Date.parse(s.lastSeenAt))).toBe(false);
      expect(s.ip).toMatch(/127\.0\.0\.1/);
      expect(s.userAgent).toBe('node');
    }
    const fromTwo = await list(b, two.cookie);
    expect(fromTwo.find((s) => s.current)!.id).not.toBe(sessions.find((s) => s.current)!.id);
    expect(JSON.stringify(sessions)).not.toContain(one.value);
  });

  it("DELETE /auth/sessions/:id ends that session at once on every replica; another user's id is 404", async () => {
    const mine = await browser('revoker');
    const stolen = await browser('revoker');
    const stranger = await browser('stranger');
    const target = (await list(a, mine.cookie)).find((s) => !s.current)!;
    const strangers = (await list(a, stranger.cookie))[0];

    const foreign = await del(a, `/auth/sessions/${strangers.id}`, mine.cookie);
    expect(foreign.status).toBe(404);
    expect(await foreign.json()).toMatchObject({ code: 'AUTH_SESSION_NOT_FOUND' });
    expect((await get(b, '/auth/me', { cookie: stranger.cookie })).status).toBe(200);
    for (const bad of ['not-a-uuid', '00000000-0000-0000-0000-000000000000']) {
      expect((await del(a, `/auth/sessions/${bad}`, mine.cookie)).status).toBe(404);
    }

    expect((await get(b, '/auth/me', { cookie: stolen.cookie })).status).toBe(200);
    const ended = await del(a, `/auth/sessions/${target.id}`, mine.cookie);
    expect(ended.status).toBe(204);
    // The replica that ended it forgets at once; the other within 1 s (the contract).
    expect((await get(a, '/auth/me', { cookie: stolen.cookie })).status).toBe(401);
    expect((await statusWithin(() => get(b, '/auth/me', { cookie: stolen.cookie }), 401)).status).toBe(401);
    expect((await get(b, '/auth/me', { cookie: mine.cookie })).status).toBe(200);
  });

  it("DELETE /auth/sessions ends every other session of the user, keeps the current one and other users'", async () => {
    const current = await browser('sweeper');
    const others = [await browser('sweeper'), await browser('sweeper')];
    const bystander = await browser('sweeper-bystander');
    expect((await del(b, '/auth/sessions', current.cookie)).status).toBe(204);
    for (const other of others) expect((await statusWithin(() => get(a, '/auth/me', { cookie: other.cookie }), 401)).status).toBe(401);
    expect((await get(a, '/auth/me', { cookie: current.cookie })).status).toBe(200);
    expect((await get(a, '/auth/me', { cookie: bystander.cookie })).status).toBe(200);
    expect(await list(a, current.cookie)).toHaveLength(1);
  });

  it("a bearer client sees the user's sessions (none current); anonymous gets 401", async () => {
    await browser('bearer-user');
    const tokens = await obtainTokens({
      issuer: bed.provider.issuer,
      clientId: BED_CLIENT_ID,
      clientSecret: BED_CLIENT_SECRET,
      redirectUri: `${a}/auth/callback`,
      login: 'bearer-user',
    });
    const res = await get(a, '/auth/sessions', { authorization: `Bearer ${tokens.access_token}` });
    expect(res.status).toBe(200);
    const sessions = (await res.json()) as SessionView[];
    expect(sessions).toHaveLength(1);
    expect(sessions[0].current).toBe(false);
    expect((await get(a, '/auth/sessions', {})).status).toBe(401);
  });

  it('records activity in batches: lastSeenAt moves after use, without a write per request', async () => {
    const s = await browser('seen');
    const key = hashSessionId(BED_SESSION_SECRET, s.value);
    await bed.store.update(key, { lastSeenAt: new Date(Date.now() - 10 * 60_000) });
    const [before] = await list(a, s.cookie);
    expect(Date.now() - Date.parse(before.lastSeenAt)).toBeLessThan(5_000); // this instance's pending activity counts
    await bed.apps[0].app.get(AuthSessionService).flushActivity();
    expect(Date.now() - (await bed.store.read(key))!.lastSeenAt.getTime()).toBeLessThan(5_000);
  });

  it('AuthSessionService.revokeAllForUser ends every session of a user (an admin action of the host)', async () => {
    const first = await browser('fired');
    const second = await browser('fired');
    const me = (await (await get(a, '/auth/me', { cookie: first.cookie })).json()) as { id: string };
    expect(await bed.apps[bed.apps.length - 1].app.get(AuthSessionService).revokeAllForUser(me.id)).toBe(2);
    expect((await statusWithin(() => get(a, '/auth/me', { cookie: first.cookie }), 401)).status).toBe(401);
    expect((await get(b, '/auth/me', { cookie: second.cookie })).status).toBe(401);
  });
});
