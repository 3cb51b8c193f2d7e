import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AuditLogService } from '@nestflux/auth';
import { DataSource } from 'typeorm';
import type { CookieAgent } from '../support/cookie-agent.js';
import { signIn } from '../support/sample-app-harness.js';
import { startSampleAppUnderTest, type SampleAppUnderTest } from '../support/sample-app-harness.js';

const XSS = '<script>alert("x")</script>';

/**
 * The sample app's `GET /api/audit` and `/admin` page: who may see them, the filters and their
 * validation, and that every value on the page is escaped (markup planted in a user's name, a
 * user agent, a sync error and the search box comes back inert).
 */
describe('sample app: GET /api/audit and the /admin page', () => {
  let sut: SampleAppUnderTest;
  let base: string;
  let db: DataSource;
  let admin: CookieAgent;
  let alice: CookieAgent;
  let aliceId: string;

  const html = { accept: 'text/html,application/xhtml+xml' };

  beforeAll(async () => {
    sut = await startSampleAppUnderTest();
    base = sut.baseUrl;
    db = sut.running.app.get(DataSource);
    admin = (await signIn(base, 'admin')).agent;
    alice = (await signIn(base, 'alice')).agent;
    aliceId = ((await (await alice.request(`${base}/auth/me`)).json()) as { id: string }).id;
  }, 90_000);

  afterAll(async () => {
    await sut?.close();
  });

  const audit = (agent: CookieAgent, query = '') => agent.request(`${base}/api/audit${query}`);

  describe('GET /api/audit', () => {
    it('401 anonymous, 403 without the role admin', async () => {
      expect((await fetch(`${base}/api/audit`)).status).toBe(401);
      const res = await audit(alice);
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({ statusCode: 403, code: 'AUTH_FORBIDDEN_ROLE' });
    });

    it("lists entries newest first with exactly the contract's fields", async () => {
      const res = await audit(admin);
      expect(res.status).toBe(200);
      const entries = (await res.json()) as Array<Record<string, unknown>>;
      expect(entries.length).toBeGreaterThanOrEqual(2);
      for (const entry of entries)
        expect(Object.keys(entry).sort()).toEqual(['at', 'code', 'event', 'ip', 'outcome', 'provider', 'userId']);
      const times = entries.map((e) => Date.parse(e.at as string));
      expect([...times].sort((a, b) => b - a)).toEqual(times);
      expect(entries.find((e) => e.userId === aliceId)).toMatchObject({ event: 'login', outcome: 'success', code: null, ip: '127.0.0.1' });
    });

    it('filters by userId, event and since, and limits', async () => {
      const mine = (await (await audit(admin, `?userId=${aliceId}`)).json()) as Array<{ userId: string }>;
      expect(mine.length).toBeGreaterThanOrEqual(1);
      expect(mine.every((e) => e.userId === aliceId)).toBe(true);
      await fetch(`${base}/auth/callback?code=x&state=${'D'.repeat(43)}`);
      const failures = (await (await audit(admin, '?event=login')).json()) as Array<{
        event: string;
        outcome: string;
        code: string | null;
      }>;
      expect(failures.every((e) => e.event === 'login')).toBe(true);
      expect(failures[0]).toMatchObject({ outcome: 'failure', code: 'AUTH_LOGIN_STATE_INVALID' });
      expect(await (await audit(admin, '?since=2999-01-01')).json()).toEqual([]);
      expect(((await (await audit(admin, '?since=2020-01-01T00:00:00Z')).json()) as unknown[]).length).toBeGreaterThanOrEqual(3);
      expect(((await (await audit(admin, '?limit=1')).json()) as unknown[]).length).toBe(1);
      expect(((await (await audit(admin, '?limit=500')).json()) as unknown[]).length).toBeGreaterThanOrEqual(3);
    });

    it.each([
      '?limit=0',
      '?limit=501',
      '?limit=abc',
      '?limit=1.5',
      '?limit=1&limit=2',
      '?userId=alice',
      '?since=yesterday',
      '?since=2026-13-45',
      '?event=%3Cscript%3E',
    ])('%s → 400 JSON', async (query) => {
      const res = await audit(admin, query);
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({ statusCode: 400, error: 'Bad Request', message: expect.any(String) });
    });
  });

  describe('/admin', () => {
    it('sends an anonymous browser to the login and back; 401 JSON for anonymous non-browser requests', async () => {
      const res = await fetch(`${base}/admin?status=active`, { headers: html, redirect: 'manual' });
      expect(res.status).toBe(302);
      expect(res.headers.get('location')).toBe(`/auth/login?returnTo=${encodeURIComponent('/admin?status=active')}`);
      expect((await fetch(`${base}/admin`, { redirect: 'manual' })).status).toBe(401);
    });

    it('403 for a signed-in user without the role admin', async () => {
      const res = await alice.request(`${base}/admin`, { headers: html });
      expect(res.status).toBe(403);
      expect(await res.text()).not.toContain('id="users"');
    });

    it('shows users (search and status filter), the latest sync runs with counts, and the audit log', async () => {
      await db.query(`INSERT INTO auth_sync_runs (source, issuer, outcome, started_at, heartbeat_at, finished_at, fetched, created, updated, deactivated, unchanged, matched, skipped)
                      VALUES ('authentik', 'https://idp.example', 'completed', now(), now(), now(), 1234, 5, 6, 7, 1216, 1229, 0)`);
      const res = await admin.request(`${base}/admin`, { headers: html });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(res.headers.get('cache-control')).toBe('no-store');
      const page = await res.text();
      expect(page).toContain('id="users"');
      expect(page).toMatch(/<td>alice@example\.test<\/td>/);
      expect(page).toMatch(
        /<tr class="sync-run">[\s\S]*?<td>authentik<\/td><td>completed<\/td>\s*<td>1234<\/td><td>5<\/td><td>6<\/td><td>7<\/td><td>1216<\/td><td>1229<\/td><td>0<\/td>/,
      );
      expect(page.match(/<tr class="audit-entry">/g)?.length).toBeGreaterThanOrEqual(2);

      const search = await (await admin.request(`${base}/admin?q=ALI`, { headers: html })).text();
      expect(search).toContain('alice@example.test');
      expect(search).not.toContain('<td>admin@example.test</td>');
      await db.query(`UPDATE auth_users SET active = false WHERE id = $1`, [aliceId]);
      const inactive = await (await admin.request(`${base}/admin?status=inactive`, { headers: html })).text();
      expect(inactive).toContain('alice@example.test');
      expect(inactive).not.toContain('<td>admin@example.test</td>');
      const active = await (await admin.request(`${base}/admin?status=active`, { headers: html })).text();
      expect(active).not.toContain('alice@example.test');
      await db.query(`UPDATE auth_users SET active = true WHERE id = $1`, [aliceId]);
      // A LIKE wildcard in the search is a literal.
      expect(await (await admin.request(`${base}/admin?q=%25`, { headers: html })).text()).toContain('0 users');

      const byUser = await (await admin.request(`${base}/admin?userId=${aliceId}`, { headers: html })).text();
      const userCells = [...byUser.matchAll(/<tr class="audit-entry">[\s\S]*?<\/tr>/g)].map((m) => m[0]);
      expect(userCells.length).toBeGreaterThanOrEqual(1);
      expect(userCells.every((row) => row.includes(aliceId))).toBe(true);
      expect((await admin.request(`${base}/admin?status=everyone`, { headers: html })).status).toBe(400);
    });

    it('escapes every value: names, user agents, sync errors and the search box', async () => {
      await db.query(`UPDATE auth_users SET display_name = $1 WHERE id = $2`, [XSS, aliceId]);
      await db.query(
        `INSERT INTO auth_sync_runs (source, issuer, outcome, started_at, heartbeat_at, finished_at, error) VALUES ('scim', 'x', 'failed', now(), now(), now(), $1)`,
        [XSS],
      );
      await fetch(`${base}/auth/callback?code=x&state=${'E'.repeat(43)}`, { headers: { 'user-agent': `<img src=x onerror=alert(1)>` } });
      sut.running.app.get(AuditLogService).record({ event: 'login', provider: '"><svg onload=alert(1)>' });
      const page = await (
        await admin.request(`${base}/admin?q=${encodeURIComponent('"><script>alert(2)</script>')}`, { headers: html })
      ).text();
      const all = await (await admin.request(`${base}/admin`, { headers: html })).text();
      for (const body of [page, all]) {
        expect(body).not.toMatch(/<script>alert|<img src=x|<svg onload/);
      }
      expect(all).toContain('&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62;');
      expect(all).toContain('&#60;img src=x onerror=alert(1)&#62;');
      expect(page).toContain('value="&#34;&#62;&#60;script&#62;alert(2)&#60;/script&#62;"');
    });
  });
});
