import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CookieAgent } from '../support/cookie-agent.js';
import { Controller, Get } from '@nestjs/common';
import { CurrentUser, type AuthUser } from '@nestflux/auth';
import { type HostApp, startHostAppOn } from '../support/host-app.js';
import { RogueProvider, type RogueIdTokenContext } from '../support/rogue-provider/index.js';

@Controller('api')
class ProfileController {
  @Get('profile')
  profile(@CurrentUser() user: AuthUser) {
    return { sub: user.sub };
  }
}

const CLIENT_ID = 'clock-client';
const CLIENT_SECRET = 'clock-client-secret-value';

type Claims = (c: RogueIdTokenContext) => Record<string, unknown>;
const expired45sAgo: Claims = (c) => ({ iss: c.issuer, aud: c.clientId, sub: c.sub, nonce: c.nonce, iat: c.now - 600, exp: c.now - 45 });
const notBefore45sAhead: Claims = (c) => ({
  iss: c.issuer,
  aud: c.clientId,
  sub: c.sub,
  nonce: c.nonce,
  iat: c.now,
  nbf: c.now + 45,
  exp: c.now + 600,
});

/**
 * `clockToleranceSeconds` applies to the whole callback: openid-client checks exp/nbf before the
 * library's verifier runs, with its own default of 30 s unless the option reaches it.
 */
describe.each([
  [60, 302],
  [0, 401],
])('clockToleranceSeconds %i at the callback', (tolerance, expected) => {
  let rogue: RogueProvider;
  let host: HostApp;

  beforeAll(async () => {
    rogue = await RogueProvider.start({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
    host = await startHostAppOn(rogue, {
      auth: tolerance === 60 ? {} : { clockToleranceSeconds: tolerance }, // 60 is the default: leave it unset
      controllers: [ProfileController],
    });
  });
  afterAll(async () => {
    await host?.close();
    await rogue?.close();
  });

  async function callbackWith(claims: Claims): Promise<{ status: number; body: string; agent: CookieAgent }> {
    const agent = new CookieAgent();
    const start = await agent.request(`${host.baseUrl}/auth/login`);
    expect(start.status).toBe(302);
    const { url } = await agent.follow(new URL(start.headers.get('location')!), (u) => u.pathname === '/auth/callback');
    rogue.planNextIdToken({ claims });
    const res = await agent.request(url);
    return { status: res.status, body: await res.text(), agent };
  }

  it.each([
    ['an exp 45 s in the past', expired45sAgo],
    ['an nbf 45 s ahead', notBefore45sAhead],
  ])(`answers ${expected} to an ID token with %s`, async (_, claims) => {
    const { status, body, agent } = await callbackWith(claims);
    expect(status).toBe(expected);
    const me = await agent.request(`${host.baseUrl}/api/profile`);
    if (expected === 302) {
      expect(me.status).toBe(200);
    } else {
      expect(JSON.parse(body)).toMatchObject({ statusCode: 401, code: 'AUTH_ID_TOKEN_INVALID' });
      expect(me.status).toBe(401);
    }
  });
});
