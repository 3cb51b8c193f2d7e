import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AuditLogService, UserSyncService, type AuditRecord, type DirectoryPage, type DirectorySource } from '@nestflux/auth';
import { DataSource } from 'typeorm';
import type { CookieAgent } from '../support/cookie-agent.js';
import { completeProviderLogout } from '../support/provider-logout.js';
import { startSessionTestBed, type SessionTestBed } from '../support/session-test-bed.js';

/** A directory of the host's own: lists whom the test says, or fails when told to. */
class ScriptedDirectory implements DirectorySource {
  readonly name = 'scripted';
  fail = false;
  async *listUsers(): AsyncIterable<DirectoryPage> {
    if (this.fail) throw new Error('directory down');
    yield {
      users: [
        {
          subject: 'audit-alice',
          username: 'audit-alice',
          displayName: 'Alice',
          email: 'alice@example.com',
          avatarUrl: null,
          active: true,
          roles: null,
        },
      ],
      total: 1,
    };
  }
}

/**
 * Every event the library records today, through real requests (oidc-provider, the database of
 * DATABASE_URL or PGlite): the entry's event, outcome, code, user, provider, IP and user agent.
 */
describe('audit events of the login routes, sessions, back-channel logout, rate limit and sync', () => {
  const directory = new ScriptedDirectory();
  let bed: SessionTestBed;
  let base: string;
  let audit: AuditLogService;
  let db: DataSource;

  beforeAll(async () => {
    bed = await startSessionTestBed({
      backchannelLogout: { sessionRequired: true },
      options: {
        audit: { flushIntervalMs: 60_000 }, // find() writes what is queued: no waiting on the timer
        rateLimit: { limit: 10, trustedProxies: ['loopback'] },
        sync: { directorySource: directory, cron: 'off', deactivateMissing: false },
      },
    });
    base = bed.apps[0].base;
    audit = bed.apps[0].app.get(AuditLogService);
    db = bed.apps[0].app.get(DataSource);
  }, 90_000);

  afterAll(async () => {
    await bed?.close();
  });

  async function userIdOf(agent: CookieAgent): Promise<string> {
    const me = await agent.request(`${base}/auth/me`);
    expect(me.status).toBe(200);
    return ((await me.json()) as { id: string }).id;
  }

  async function csrf(agent: CookieAgent): Promise<string> {
    return ((await (await agent.request(`${base}/auth/csrf`)).json()) as { token: string }).token;
  }

  async function latest(event: string, userId?: string): Promise<AuditRecord[]> {
    return audit.find({ event, ...(userId ? { userId } : {}) });
  }

  it('records a login with the user, the provider, the client address and user agent', async () => {
    const agent = await bed.signIn('audit-alice');
    const userId = await userIdOf(agent);
    const [entry] = await latest('login', userId);
    expect(entry).toMatchObject({
      event: 'login',
      outcome: 'success',
      code: null,
      userId,
      provider: 'default',
      ip: '127.0.0.1',
      userAgent: 'node',
    });
    expect(Date.now() - entry.at.getTime()).toBeLessThan(30_000);
  });

  it('records a refused callback with its error code and no user', async () => {
    const res = await fetch(`${base}/auth/callback?code=x&state=${'B'.repeat(43)}`, { headers: { 'user-agent': 'forger/1.0' } });
    expect(res.status).toBe(400);
    const [entry] = await latest('login');
    expect(entry).toMatchObject({ outcome: 'failure', code: 'AUTH_LOGIN_STATE_INVALID', userId: null, userAgent: 'forger/1.0' });
  });

  it("records a deactivated user's refused login with the user and AUTH_USER_INACTIVE", async () => {
    const userId = await userIdOf(await bed.signIn('audit-inactive'));
    await db.query(`UPDATE auth_users SET active = false WHERE id = $1`, [userId]);
    await expect(bed.signIn('audit-inactive')).rejects.toThrow(/answered 403/);
    const [entry] = await latest('login', userId);
    expect(entry).toMatchObject({ outcome: 'failure', code: 'AUTH_USER_INACTIVE', userId });
  });

  it('records a logout with the user', async () => {
    const agent = await bed.signIn('audit-logout');
    const userId = await userIdOf(agent);
    const res = await agent.request(`${base}/auth/logout`, { method: 'POST', headers: { origin: base } });
    expect(res.status).toBe(200);
    const [entry] = await latest('logout', userId);
    expect(entry).toMatchObject({ event: 'logout', outcome: 'success', userId, ip: '127.0.0.1' });
    // Logging out without a session ends nothing and records nothing.
    expect((await agent.request(`${base}/auth/logout`, { method: 'POST', headers: { origin: base } })).status).toBe(200);
    expect(await latest('logout', userId)).toHaveLength(1);
  });

  it('records session revocations from session management, one and all others', async () => {
    const current = await bed.signIn('audit-revoker');
    await bed.signIn('audit-revoker');
    await bed.signIn('audit-revoker');
    const userId = await userIdOf(current);
    const token = await csrf(current);
    const sessions = (await (await current.request(`${base}/auth/sessions`)).json()) as Array<{ id: string; current: boolean }>;
    const other = sessions.find((s) => !s.current)!;
    expect(
      (await current.request(`${base}/auth/sessions/${other.id}`, { method: 'DELETE', headers: { 'x-csrf-token': token } })).status,
    ).toBe(204);
    expect((await current.request(`${base}/auth/sessions`, { method: 'DELETE', headers: { 'x-csrf-token': token } })).status).toBe(204);
    const entries = await latest('session_revoked', userId);
    expect(entries.map((e) => e.details)).toEqual([
      { sessions: 1, allOthers: true },
      { session: other.id, sessions: 1 },
    ]);
    expect(entries.every((e) => e.outcome === 'success' && e.ip === '127.0.0.1')).toBe(true);
  });

  it('records a back-channel logout from the provider, and a refused logout token with its code', async () => {
    const agent = await bed.signIn('audit-bcl');
    const { confirm } = await completeProviderLogout(agent, `${bed.provider.issuer}/session/end`);
    expect(confirm.status).toBe(303);
    const [ended] = await latest('backchannel_logout');
    expect(ended).toMatchObject({ outcome: 'success', provider: 'default', details: { sessions: 1 } });

    const res = await fetch(`${base}/auth/backchannel-logout`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'logout_token=garbage',
    });
    expect(res.status).toBe(400);
    const [refused] = await latest('backchannel_logout');
    expect(refused).toMatchObject({ outcome: 'failure', code: 'AUTH_LOGOUT_TOKEN_INVALID' });
  });

  it('records the first request over the rate limit per client and window, with the forwarded client address', async () => {
    const hit = () => fetch(`${base}/auth/login`, { redirect: 'manual', headers: { 'x-forwarded-for': '203.0.113.77' } });
    for (let i = 0; i < 10; i++) expect((await hit()).status).toBe(302);
    for (let i = 0; i < 3; i++) expect((await hit()).status).toBe(429);
    const entries = (await latest('rate_limited')).filter((e) => e.ip === '203.0.113.77');
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ outcome: 'failure', code: 'AUTH_RATE_LIMITED', details: { route: 'startLogin' } });
  });

  it('records sync runs with their counts, and a failed one with its error', async () => {
    const sync = bed.apps[0].app.get(UserSyncService);
    await sync.runOnce();
    const [completed] = await latest('sync_run');
    expect(completed).toMatchObject({
      outcome: 'success',
      details: expect.objectContaining({ source: 'scripted', fetched: 1, matched: 1 }),
    });
    directory.fail = true;
    await expect(sync.runOnce()).rejects.toThrow('directory down');
    const [failed] = await latest('sync_run');
    expect(failed).toMatchObject({
      outcome: 'failure',
      code: 'Error',
      details: expect.objectContaining({ source: 'scripted', fetched: 0 }),
    });
  });

  it('a login succeeds while the audit table cannot be written; the failure is counted', async () => {
    const before = audit.stats();
    await db.query(`ALTER TABLE auth_audit_log RENAME TO auth_audit_log_gone`);
    try {
      const agent = await bed.signIn('audit-resilient');
      await userIdOf(agent);
      await audit.flush();
      expect(audit.stats().failed).toBeGreaterThan(before.failed);
    } finally {
      await db.query(`ALTER TABLE auth_audit_log_gone RENAME TO auth_audit_log`);
    }
  });
});
