import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AuditLogService } from '@nestflux/auth';
import { CookieAgent } from '../support/cookie-agent.js';
import { obtainTokens } from '../support/token-client.js';
import { startTwoProviderBed, type TwoProviderBed } from '../support/two-provider-bed.js';

interface Identity {
  id: string;
  provider: string | null;
  issuer: string;
  subject: string;
  email: string | null;
  linkedAt: string;
}

/** Account linking across two real providers, on a real database. */
describe('account linking', () => {
  let bed: TwoProviderBed;

  beforeAll(async () => {
    bed = await startTwoProviderBed();
  });
  afterAll(async () => {
    await bed?.close();
  });

  const csrf = async (agent: CookieAgent): Promise<string> =>
    ((await (await agent.request(`${bed.base}/auth/csrf`)).json()) as { token: string }).token;
  const post = async (agent: CookieAgent, path: string, token?: string, method = 'POST'): Promise<Response> =>
    agent.request(`${bed.base}${path}`, {
      method,
      headers: { origin: bed.base, ...(token === undefined ? {} : { 'x-csrf-token': token }) },
    });
  const profileId = async (agent: CookieAgent): Promise<string> =>
    ((await (await agent.request(`${bed.base}/api/profile`)).json()) as { id: string }).id;
  const identities = async (agent: CookieAgent): Promise<Identity[]> =>
    (await (await agent.request(`${bed.base}/auth/identities`)).json()) as Identity[];

  /** Starts a link at `slug` from the signed-in `agent`, signs in there as `login`, returns the callback's answer. */
  async function link(agent: CookieAgent, slug: string, login: string, beforeCallback?: () => Promise<void>): Promise<Response> {
    const started = await post(agent, `/auth/link/${slug}?returnTo=/settings`, await csrf(agent));
    expect(started.status).toBe(200);
    const { redirectUrl } = (await started.json()) as { redirectUrl: string };
    const authorize = new URL(redirectUrl);
    expect(authorize.origin).toBe(new URL(bed.providers[slug as 'one' | 'two'].idp.issuer).origin);
    authorize.searchParams.set('login_hint', login);
    const { url } = await agent.follow(authorize, (u) => u.origin === new URL(bed.base).origin);
    expect(url.pathname).toBe(`/auth/callback/${slug}`);
    await beforeCallback?.();
    return agent.request(url);
  }

  it("adds the other provider's identity to the signed-in user, who then signs in with either", async () => {
    const { agent } = await bed.signIn('one', 'alice');
    const aliceId = await profileId(agent);
    const callback = await link(agent, 'two', 'alice-at-two');
    expect(callback.status).toBe(302);
    expect(callback.headers.get('location')).toBe('/settings');
    expect(await profileId(agent)).toBe(aliceId); // the session stays
    const listed = await identities(agent);
    expect(listed.map(({ provider, issuer, subject, email }) => ({ provider, issuer, subject, email }))).toEqual([
      { provider: 'one', issuer: bed.providers.one.idp.issuer, subject: 'alice', email: 'alice@example.test' },
      { provider: 'two', issuer: bed.providers.two.idp.issuer, subject: 'alice-at-two', email: 'alice-at-two@example.test' },
    ]);
    expect(Number.isNaN(Date.parse(listed[1].linkedAt))).toBe(false);
    const viaTwo = await bed.signIn('two', 'alice-at-two');
    expect(await profileId(viaTwo.agent)).toBe(aliceId);
    // Bearer tokens of the linked identity act for the same user.
    const { access_token } = await obtainTokens({
      issuer: bed.providers.two.idp.issuer,
      clientId: bed.providers.two.clientId,
      clientSecret: bed.providers.two.clientSecret,
      redirectUri: `${bed.base}/auth/callback/two`,
      login: 'alice-at-two',
    });
    const bearer = await fetch(`${bed.base}/auth/identities`, { headers: { authorization: `Bearer ${access_token}` } });
    expect(bearer.status).toBe(200);
    expect((await bearer.json()) as Identity[]).toHaveLength(2);
  });

  it('refuses to link an identity that belongs to another user: 409, nothing changes, it stays theirs', async () => {
    const bob = await bed.signIn('two', 'bob-at-two');
    const bobId = await profileId(bob.agent);
    const { agent: carol } = await bed.signIn('one', 'carol');
    const callback = await link(carol, 'two', 'bob-at-two');
    expect(callback.status).toBe(409);
    expect(await callback.json()).toMatchObject({ code: 'AUTH_IDENTITY_CONFLICT' });
    expect(await identities(carol)).toHaveLength(1);
    const again = await bed.signIn('two', 'bob-at-two');
    expect(await profileId(again.agent)).toBe(bobId);
    expect(await identities(again.agent)).toHaveLength(1);
  });

  it("needs the session's CSRF token and a browser session, and a login provider", async () => {
    const { agent } = await bed.signIn('one', 'dora');
    expect((await post(agent, '/auth/link/two')).status).toBe(403);
    expect((await post(agent, '/auth/link/two', 'forged')).status).toBe(403);
    const unknown = await post(agent, '/auth/link/nope', await csrf(agent));
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ code: 'AUTH_PROVIDER_NOT_FOUND' });
    expect((await fetch(`${bed.base}/auth/link/two`, { method: 'POST' })).status).toBe(401);
    const { access_token } = await obtainTokens({
      issuer: bed.providers.one.idp.issuer,
      clientId: bed.providers.one.clientId,
      clientSecret: bed.providers.one.clientSecret,
      redirectUri: `${bed.base}/auth/callback/one`,
      login: 'dora',
    });
    const bearer = await fetch(`${bed.base}/auth/link/two`, { method: 'POST', headers: { authorization: `Bearer ${access_token}` } });
    expect(bearer.status).toBe(401);
  });

  it('does not link when the browser is no longer signed in as the user who asked', async () => {
    const { agent } = await bed.signIn('one', 'erik');
    const callback = await link(agent, 'two', 'erik-at-two', async () => {
      expect((await post(agent, '/auth/logout')).status).toBe(200);
    });
    expect(callback.status).toBe(401);
    // The identity was not added: signing in with it makes a user of its own.
    const viaTwo = await bed.signIn('two', 'erik-at-two');
    expect(await identities(viaTwo.agent)).toEqual([expect.objectContaining({ provider: 'two', subject: 'erik-at-two' })]);
  });

  it("unlinks an identity (its sessions end), never the last one, never another user's", async () => {
    const { agent } = await bed.signIn('one', 'fred');
    const fredId = await profileId(agent);
    expect((await link(agent, 'two', 'fred-at-two')).status).toBe(302);
    const viaTwo = await bed.signIn('two', 'fred-at-two');
    expect(await profileId(viaTwo.agent)).toBe(fredId);
    const [first, second] = await identities(agent);
    const stranger = await bed.signIn('one', 'gwen');
    const gwensOwn = (await identities(stranger.agent))[0];

    const token = await csrf(agent);
    expect((await post(agent, `/auth/identities/${gwensOwn.id}`, token, 'DELETE')).status).toBe(404);
    expect((await post(agent, '/auth/identities/not-a-uuid', token, 'DELETE')).status).toBe(404);
    expect((await post(agent, `/auth/identities/${second.id}`, undefined, 'DELETE')).status).toBe(403);
    expect((await post(agent, `/auth/identities/${second.id}`, token, 'DELETE')).status).toBe(204);
    expect((await viaTwo.agent.request(`${bed.base}/auth/me`)).status).toBe(401);
    expect(await identities(agent)).toEqual([expect.objectContaining({ id: first.id })]);
    const last = await post(agent, `/auth/identities/${first.id}`, token, 'DELETE');
    expect(last.status).toBe(409);
    expect(await last.json()).toMatchObject({ code: 'AUTH_LAST_IDENTITY' });
    expect(await identities(stranger.agent)).toEqual([expect.objectContaining({ id: gwensOwn.id })]);
    // The unlinked identity is its own again: it signs in as a new user.
    const afterwards = await bed.signIn('two', 'fred-at-two');
    expect(await profileId(afterwards.agent)).not.toBe(fredId);
  });

  it('records link and unlink in the audit log', async () => {
    const audit = bed.app.get(AuditLogService);
    const events = (await audit.find({ limit: 500 })).filter((entry) => entry.event === 'link' || entry.event === 'unlink');
    expect(events.some((e) => e.event === 'link' && e.outcome === 'success' && e.provider === 'two')).toBe(true);
    expect(events.some((e) => e.event === 'link' && e.outcome === 'failure' && e.code === 'AUTH_IDENTITY_CONFLICT')).toBe(true);
    expect(events.some((e) => e.event === 'unlink' && e.outcome === 'success' && e.provider === 'two')).toBe(true);
  });
});

describe('account linking rate limit', () => {
  let bed: TwoProviderBed;

  beforeAll(async () => {
    bed = await startTwoProviderBed({ options: { rateLimit: { limit: 2, windowSeconds: 60 } } });
  });
  afterAll(async () => {
    await bed?.close();
  });

  it('answers 429 with Retry-After past the limit, like the login', async () => {
    const { agent } = await bed.signIn('one', 'hank');
    const token = ((await (await agent.request(`${bed.base}/auth/csrf`)).json()) as { token: string }).token;
    const statuses: number[] = [];
    let last: Response | undefined;
    for (let i = 0; i < 3; i++) {
      last = await agent.request(`${bed.base}/auth/link/two`, { method: 'POST', headers: { origin: bed.base, 'x-csrf-token': token } });
      statuses.push(last.status);
    }
    expect(statuses).toEqual([200, 200, 429]);
    expect(Number(last!.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});
