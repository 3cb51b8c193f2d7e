import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CookieAgent } from '../support/cookie-agent.js';
import { RogueProvider, type RogueIdTokenContext } from '../support/rogue-provider/index.js';
import { startSampleAppUnderTest, type SampleAppUnderTest } from '../support/sample-app-harness.js';

const CLIENT_ID = 'login-claims-client';
const CLIENT_SECRET = 'login-claims-client-secret-value';

type Extra = Record<string, unknown>;
const idToken = (extra: Extra) => (c: RogueIdTokenContext) => ({
  iss: c.issuer,
  aud: c.clientId,
  sub: c.sub,
  nonce: c.nonce,
  iat: c.now,
  exp: c.now + 300,
  ...extra,
});

/**
 * A validly signed ID token is still untrusted input: a provider (or a user editing their own
 * profile there) can put a NUL into `sub`, `sid`, `email` or `name`. PostgreSQL refuses NUL in
 * text, which used to surface as a 500 at the callback. Identifiers are refused (4xx with a code);
 * display texts are cleaned and an email with a control character is dropped (lib/tokens/claims.ts).
 */
describe('control characters in ID-token claims at login', () => {
  let rogue: RogueProvider;
  let sut: SampleAppUnderTest;

  beforeAll(async () => {
    rogue = await RogueProvider.start({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
    sut = await startSampleAppUnderTest({
      OIDC_ISSUER_URL: rogue.issuer,
      OIDC_CLIENT_ID: CLIENT_ID,
      OIDC_CLIENT_SECRET: CLIENT_SECRET,
      AUTH_RATE_LIMIT: '1000/60s',
    });
  });
  afterAll(async () => {
    await sut?.close();
    await rogue?.close();
  });

  async function loginWith(extra: Extra, sub = 'claims-user'): Promise<{ callback: Response; agent: CookieAgent }> {
    const agent = new CookieAgent();
    const start = await agent.request(`${sut.baseUrl}/auth/login`);
    expect(start.status).toBe(302);
    const authorize = new URL(start.headers.get('location')!);
    authorize.searchParams.set('login_hint', sub);
    const { url } = await agent.follow(authorize, (u) => u.pathname === '/auth/callback');
    rogue.planNextIdToken({ claims: idToken(extra) });
    return { callback: await agent.request(url), agent };
  }

  it.each([
    ['a NUL in sub', { sub: 'mallory\u0000admin' }],
    ['an escape sequence in sub', { sub: 'mallory\u001b[2J' }],
    ['a NUL in sid', { sid: 'session\u0000id' }],
  ])('refuses %s with 401 AUTH_ID_TOKEN_INVALID and no session', async (_, extra) => {
    const { callback, agent } = await loginWith(extra);
    expect(callback.status).toBe(401);
    expect(await callback.json()).toMatchObject({ statusCode: 401, code: 'AUTH_ID_TOKEN_INVALID' });
    expect(callback.headers.getSetCookie().some((c) => c.startsWith('nestflux.sid='))).toBe(false);
    expect((await agent.request(`${sut.baseUrl}/auth/me`)).status).toBe(401);
  });

  it('cleans a NUL out of name and drops an email that holds one', async () => {
    const { callback, agent } = await loginWith(
      { name: 'Eve\u0000Example', email: 'eve\u0000@example.test', preferred_username: 'eve\u0000' },
      'eve',
    );
    expect(callback.status).toBe(302);
    const me = await agent.request(`${sut.baseUrl}/auth/me`);
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ sub: 'eve', email: null, displayName: 'Eve Example' });
  });
});
