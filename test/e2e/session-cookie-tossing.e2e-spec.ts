import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CookieAgent } from '../support/cookie-agent.js';
import { signIn } from '../support/sample-app-harness.js';
import { startSessionTestBed, type SessionTestBed } from '../support/session-test-bed.js';
import { sessionStores, startSampleAppOnStore } from '../support/session-stores.js';

/**
 * Issue 7, item 6: cookie tossing. A sibling subdomain (or a plain-http page of the same host)
 * can set a second cookie with the session cookie's name; servers that take "the first one"
 * then act on the attacker's session (login CSRF) or ignore the victim's. A request carrying the
 * name twice must be unauthenticated, whatever the order and values.
 */
describe.each(sessionStores)('session cookie sent twice (cookie tossing) (sessions in %s)', (store) => {
  let sut: Awaited<ReturnType<typeof startSampleAppOnStore>>;
  let victim: string;
  let attacker: string;

  beforeAll(async () => {
    sut = await startSampleAppOnStore(store);
    const host = new URL(sut.baseUrl).host;
    victim = (await signIn(sut.baseUrl, 'victim')).agent.cookie(host, 'nestflux.sid')!;
    attacker = (await signIn(sut.baseUrl, 'attacker')).agent.cookie(host, 'nestflux.sid')!;
  });
  afterAll(async () => {
    await sut?.close();
  });

  const me = (cookie: string) => fetch(`${sut.baseUrl}/auth/me`, { headers: { cookie } });

  it('each cookie alone is a valid session (the attack below is not a garbage-cookie test)', async () => {
    expect((await me(`nestflux.sid=${victim}`)).status).toBe(200);
    expect((await me(`nestflux.sid=${attacker}`)).status).toBe(200);
  });

  it.each([
    ["the attacker's cookie first", () => `nestflux.sid=${attacker}; nestflux.sid=${victim}`],
    ["the victim's cookie first", () => `nestflux.sid=${victim}; nestflux.sid=${attacker}`],
    ['a garbage cookie second', () => `nestflux.sid=${victim}; nestflux.sid=x`],
    ['the same value twice, between other cookies', () => `a=1; nestflux.sid=${victim}; b=2; nestflux.sid=${victim}`],
    ['a quoted duplicate', () => `nestflux.sid=${victim};nestflux.sid="${attacker}"`],
  ])('401 AUTH_UNAUTHENTICATED with %s', async (_name, header) => {
    const res = await me(header());
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ code: 'AUTH_UNAUTHENTICATED' });
  });

  it('a cookie whose name only resembles the session cookie does not count twice', async () => {
    expect((await me(`nestflux.sid2=${attacker}; nestflux.sid=${victim}; xnestflux.sid=${attacker}`)).status).toBe(200);
  });
});

describe('a Secure, host-only session cookie is __Host- prefixed by default', () => {
  let bed: SessionTestBed;

  beforeAll(async () => {
    bed = await startSessionTestBed({ options: { cookie: { secure: true } } });
  });
  afterAll(async () => {
    await bed?.close();
  });

  it('sets __Host-nestflux.sid (Secure, Path=/, no Domain), and refuses it twice', async () => {
    const { base } = bed.apps[0];
    const agent = new CookieAgent();
    const start = await agent.request(`${base}/auth/login`);
    const authorize = new URL(start.headers.get('location')!);
    authorize.searchParams.set('login_hint', 'hosted');
    const { url } = await agent.follow(authorize, (u) => u.pathname === '/auth/callback');
    const callback = await agent.request(url);
    expect(callback.status).toBe(302);
    const setCookie = callback.headers.getSetCookie().find((line) => line.startsWith('__Host-nestflux.sid='));
    expect(setCookie).toBeDefined();
    expect(setCookie).toMatch(/; Secure/);
    expect(setCookie).toMatch(/; Path=\/(;|$)/);
    expect(setCookie).not.toMatch(/Domain=/i);
    const value = agent.cookie(new URL(base).host, '__Host-nestflux.sid')!;
    expect((await fetch(`${base}/auth/me`, { headers: { cookie: `__Host-nestflux.sid=${value}` } })).status).toBe(200);
    const twice = await fetch(`${base}/auth/me`, { headers: { cookie: `__Host-nestflux.sid=${value}; __Host-nestflux.sid=${value}` } });
    expect(twice.status).toBe(401);
    expect(await twice.json()).toMatchObject({ code: 'AUTH_UNAUTHENTICATED' });
  });
});
