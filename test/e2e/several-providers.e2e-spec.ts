import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { exportJWK, generateKeyPair, importJWK, SignJWT, type JWK } from 'jose';
import { CookieAgent } from '../support/cookie-agent.js';
import { obtainTokens } from '../support/token-client.js';
import { callbackUrlFor, startTwoProviderBed, type BedProvider, type TwoProviderBed } from '../support/two-provider-bed.js';

const BACKCHANNEL_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

async function signAs(key: JWK, claims: Record<string, unknown>, typ = 'JWT'): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: key.kid, typ }).sign(await importJWK(key, 'RS256'));
}

/** A logout token as `issuerOf` would send it, signed with `signedBy`'s key. */
function logoutToken(issuerOf: BedProvider, signedBy: BedProvider, sub: string): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return signAs(
    signedBy.signingKey,
    {
      iss: issuerOf.idp.issuer,
      aud: issuerOf.clientId,
      iat: now,
      exp: now + 120,
      jti: randomUUID(),
      sub,
      events: { [BACKCHANNEL_EVENT]: {} },
    },
    'logout+jwt',
  );
}

function backchannel(base: string, token: string): Promise<Response> {
  return fetch(`${base}/auth/backchannel-logout`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: `logout_token=${token}`,
  });
}

function tokensFrom(bed: TwoProviderBed, slug: 'one' | 'two', login: string) {
  const provider = bed.providers[slug];
  return obtainTokens({
    issuer: provider.idp.issuer,
    clientId: provider.clientId,
    clientSecret: provider.clientSecret,
    redirectUri: `${bed.base}/auth/callback/${slug}`,
    login,
  });
}

describe('several providers (two oidc-provider instances)', () => {
  let bed: TwoProviderBed;

  beforeAll(async () => {
    // Provider two's access tokens are always due for refresh: every request refreshes through it.
    bed = await startTwoProviderBed({ idp: { two: { accessTokenTtlSeconds: 20 } } });
  });
  afterAll(async () => {
    await bed?.close();
  });

  it('lists the providers in configuration order', async () => {
    const res = await fetch(`${bed.base}/auth/providers`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual([
      { slug: 'one', name: 'Provider One' },
      { slug: 'two', name: 'Provider Two' },
    ]);
  });

  it('signs users in at each provider: one identity (and user) per issuer, never joined by a same name or email', async () => {
    const atOne = await bed.signIn('one', 'alice');
    const atTwo = await bed.signIn('two', 'alice');
    expect(atOne.final.status).toBe(302);
    expect(atTwo.final.status).toBe(302);
    const one = (await (await atOne.agent.request(`${bed.base}/api/profile`)).json()) as { id: string; issuer: string; email: string };
    const two = (await (await atTwo.agent.request(`${bed.base}/api/profile`)).json()) as { id: string; issuer: string; email: string };
    expect(one.issuer).toBe(bed.providers.one.idp.issuer);
    expect(two.issuer).toBe(bed.providers.two.idp.issuer);
    expect(one.email).toBe(two.email);
    expect(one.id).not.toBe(two.id);
  });

  it('sends the unslugged login to provider 1', async () => {
    const res = await new CookieAgent().request(`${bed.base}/auth/login`);
    expect(res.status).toBe(302);
    expect(res.headers.get('location')!.startsWith(bed.providers.one.idp.issuer)).toBe(true);
    const slugged = await new CookieAgent().request(`${bed.base}/auth/login/two`);
    const authorize = new URL(slugged.headers.get('location')!);
    expect(authorize.origin).toBe(new URL(bed.providers.two.idp.issuer).origin);
    expect(authorize.searchParams.get('redirect_uri')).toBe(`${bed.base}/auth/callback/two`);
    expect(authorize.searchParams.get('client_id')).toBe('bed-two');
  });

  it('answers 404 JSON for an unknown slug on the login and callback routes', async () => {
    for (const path of ['/auth/login/nope', '/auth/callback/nope?code=x&state=y', '/auth/login/ONE']) {
      const res = await fetch(`${bed.base}${path}`, { redirect: 'manual' });
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({ statusCode: 404, code: 'AUTH_PROVIDER_NOT_FOUND' });
    }
  });

  it("refuses a login started at one provider but returned on another provider's callback (mix-up): 400, no session", async () => {
    const agent = new CookieAgent();
    const callback = await callbackUrlFor(bed.base, 'one', 'mallory', agent);
    expect(callback.pathname).toBe('/auth/callback/one');
    const swapped = new URL(`/auth/callback/two${callback.search}`, bed.base);
    const res = await agent.request(swapped);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 'AUTH_LOGIN_STATE_INVALID' });
    expect(res.headers.get('set-cookie') ?? '').not.toMatch(/nestflux\.sid=[^;]/);
    expect((await agent.request(`${bed.base}/auth/me`)).status).toBe(401);
  });

  it('refreshes a session through the provider it came from', async () => {
    const { agent } = await bed.signIn('two', 'refresher');
    for (let i = 0; i < 2; i++) expect((await agent.request(`${bed.base}/auth/me`)).status).toBe(200);
    const res = await agent.request(`${bed.base}/api/refreshed-token-issuer`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ iss: bed.providers.two.idp.issuer });
  });

  it('logs out at the provider the session came from', async () => {
    const { agent } = await bed.signIn('two', 'leaver');
    const csrfFree = await agent.request(`${bed.base}/auth/logout`, { method: 'POST', headers: { origin: bed.base } });
    const { logoutUrl } = (await csrfFree.json()) as { logoutUrl: string };
    expect(logoutUrl).toMatch(/\/auth\/logout\/end\?t=/);
    const end = await agent.request(logoutUrl);
    expect(end.status).toBe(302);
    const location = new URL(end.headers.get('location')!);
    expect(location.origin).toBe(new URL(bed.providers.two.idp.issuer).origin);
    expect(location.searchParams.get('client_id')).toBe('bed-two');
  });

  describe('bearer tokens', () => {
    it("accepts each provider's access tokens, verified with that provider's keys", async () => {
      for (const slug of ['one', 'two'] as const) {
        const { access_token } = await tokensFrom(bed, slug, 'api-user');
        const res = await fetch(`${bed.base}/api/profile`, { headers: { authorization: `Bearer ${access_token}` } });
        expect(res.status).toBe(200);
        expect(await res.json()).toMatchObject({ sub: 'api-user', issuer: bed.providers[slug].idp.issuer });
      }
    });

    it("refuses a token naming one issuer but signed with the other provider's key (or for its audience)", async () => {
      const now = Math.floor(Date.now() / 1000);
      const { one, two } = bed.providers;
      const forged = await signAs(
        two.signingKey,
        { iss: one.idp.issuer, aud: one.clientId, sub: 'api-user', iat: now, exp: now + 300 },
        'at+jwt',
      );
      const wrongAudience = await signAs(
        two.signingKey,
        { iss: two.idp.issuer, aud: one.clientId, sub: 'api-user', iat: now, exp: now + 300 },
        'at+jwt',
      );
      const genuine = await signAs(
        two.signingKey,
        { iss: two.idp.issuer, aud: two.clientId, sub: 'api-user', iat: now, exp: now + 300 },
        'at+jwt',
      );
      for (const token of [forged, wrongAudience]) {
        const res = await fetch(`${bed.base}/api/profile`, { headers: { authorization: `Bearer ${token}` } });
        expect(res.status).toBe(401);
      }
      // The control: the same key with its own issuer and audience passes.
      expect((await fetch(`${bed.base}/api/profile`, { headers: { authorization: `Bearer ${genuine}` } })).status).toBe(200);
    });
  });

  describe('back-channel logout', () => {
    it('ends only the sessions of the issuer that signed the logout token', async () => {
      const atOne = await bed.signIn('one', 'bob');
      const atTwo = await bed.signIn('two', 'bob');
      const res = await backchannel(bed.base, await logoutToken(bed.providers.two, bed.providers.two, 'bob'));
      expect(res.status).toBe(200);
      expect((await atTwo.agent.request(`${bed.base}/auth/me`)).status).toBe(401);
      expect((await atOne.agent.request(`${bed.base}/auth/me`)).status).toBe(200);
    });

    it('refuses a logout token naming one provider but signed by the other, or naming an unknown issuer', async () => {
      const { agent } = await bed.signIn('one', 'carol');
      const { one, two } = bed.providers;
      const crossSigned = await logoutToken(one, two, 'carol');
      const now = Math.floor(Date.now() / 1000);
      const unknownIssuer = await signAs(one.signingKey, {
        iss: 'https://elsewhere.example',
        aud: one.clientId,
        iat: now,
        jti: randomUUID(),
        sub: 'carol',
        events: { [BACKCHANNEL_EVENT]: {} },
      });
      for (const token of [crossSigned, unknownIssuer]) {
        const res = await backchannel(bed.base, token);
        expect(res.status).toBe(400);
        expect(await res.json()).toMatchObject({ code: 'AUTH_LOGOUT_TOKEN_INVALID' });
      }
      expect((await agent.request(`${bed.base}/auth/me`)).status).toBe(200);
    });
  });

  it('keeps signing users in with one provider while the other is down', async () => {
    await bed.providers.two.idp.close();
    // Past the window in which a recent success spares a login the reachability probe.
    await new Promise((resolve) => setTimeout(resolve, 5_100));
    const down = await new CookieAgent().request(`${bed.base}/auth/login/two`);
    expect(down.status).toBe(503);
    expect(await down.json()).toMatchObject({ code: 'AUTH_PROVIDER_UNAVAILABLE' });
    const { final } = await bed.signIn('one', 'dave');
    expect(final.status).toBe(302);
  });
});

describe('a gateway as a bearer-only trusted issuer (explicit JWKS URL, no discovery, no login)', () => {
  let bed: TwoProviderBed;
  let jwksServer: Server;
  let jwksRequests = 0;
  let gatewayKey: JWK;
  const GATEWAY_ISSUER = 'http://127.0.0.1:9/gateway';
  const GATEWAY_AUDIENCE = 'gateway-api';

  beforeAll(async () => {
    const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
    gatewayKey = { ...(await exportJWK(privateKey)), kid: 'gateway-key', alg: 'RS256' };
    const publicJwk = { ...(await exportJWK(publicKey)), kid: 'gateway-key', alg: 'RS256', use: 'sig' };
    jwksServer = createServer((_req, res) => {
      jwksRequests++;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: [publicJwk] }));
    });
    await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
    const jwksUrl = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/jwks.json`;
    bed = await startTwoProviderBed({
      extraIssuers: [
        {
          slug: 'gateway',
          name: 'Gateway',
          issuerUrl: GATEWAY_ISSUER,
          jwksUrl,
          audience: GATEWAY_AUDIENCE,
          login: false,
          rolesClaim: 'groups',
          acceptIdTokens: true,
        },
      ],
    });
  });
  afterAll(async () => {
    await bed?.close();
    jwksServer?.close();
  });

  const gatewayToken = (claims: Record<string, unknown>) => {
    const now = Math.floor(Date.now() / 1000);
    return signAs(gatewayKey, { iss: GATEWAY_ISSUER, aud: GATEWAY_AUDIENCE, sub: 'gw-user', iat: now, exp: now + 300, ...claims });
  };

  it('refuses a token from an unknown issuer with 401 and no network call', async () => {
    const before = jwksRequests;
    const unknown = await gatewayToken({ iss: 'http://127.0.0.1:9/somewhere-else' });
    const res = await fetch(`${bed.base}/api/profile`, { headers: { authorization: `Bearer ${unknown}` } });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ code: 'AUTH_TOKEN_INVALID' });
    expect(jwksRequests).toBe(before);
    expect(jwksRequests).toBe(0);
  });

  it("accepts the gateway's tokens for its audience, with its roles claim", async () => {
    const res = await fetch(`${bed.base}/api/profile`, { headers: { authorization: `Bearer ${await gatewayToken({ groups: ['ops'] })}` } });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ sub: 'gw-user', issuer: GATEWAY_ISSUER, roles: ['ops'] });
    expect(jwksRequests).toBe(1);
  });

  it("refuses the gateway's key for another audience", async () => {
    const res = await fetch(`${bed.base}/api/profile`, { headers: { authorization: `Bearer ${await gatewayToken({ aud: 'bed-one' })}` } });
    expect(res.status).toBe(401);
  });

  it('accepts ID tokens only from an issuer configured to forward them (acceptIdTokens)', async () => {
    const forwardedIdToken = await gatewayToken({ nonce: 'n-0S6_WzA2Mj' });
    expect((await fetch(`${bed.base}/api/profile`, { headers: { authorization: `Bearer ${forwardedIdToken}` } })).status).toBe(200);
    const { id_token } = await tokensFrom(bed, 'two', 'id-token-user');
    const res = await fetch(`${bed.base}/api/profile`, { headers: { authorization: `Bearer ${id_token}` } });
    expect(res.status).toBe(401);
  });

  it('offers no login for the gateway', async () => {
    expect((await fetch(`${bed.base}/auth/providers`).then((r) => r.json())) as unknown[]).toHaveLength(2);
    const res = await fetch(`${bed.base}/auth/login/gateway`, { redirect: 'manual' });
    expect(res.status).toBe(404);
  });
});
