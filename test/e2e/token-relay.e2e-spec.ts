import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { decodeJwt } from 'jose';
import * as client from 'openid-client';
import { DataSource } from 'typeorm';
import { TokenCipher } from '../../lib/session/token-cipher.js';
import type { CookieAgent } from '../support/cookie-agent.js';
import {
  BED_CLIENT_ID,
  BED_CLIENT_SECRET,
  BED_SESSION_SECRET,
  startSessionTestBed,
  type SessionTestBed,
} from '../support/session-test-bed.js';

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A real upstream API on loopback that records what reached it and tries to set a cookie. */
async function startUpstream(): Promise<{ url: string; seen: Seen[]; server: Server }> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks).toString() });
      res.setHeader('Content-Type', 'application/json');
      res.setHeader('Set-Cookie', 'upstream=1; Path=/');
      res.end(JSON.stringify({ upstream: true, path: req.url }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, server };
}

describe('token relay (backend-for-frontend), GET /auth/claims and POST /auth/refresh', () => {
  let upstream: Awaited<ReturnType<typeof startUpstream>>;
  let bed: SessionTestBed;
  let base: string;

  beforeAll(async () => {
    upstream = await startUpstream();
    bed = await startSessionTestBed({
      rotateRefreshToken: true,
      options: { tokenRelay: { path: '/backend', upstream: `${upstream.url}/v1` } },
    });
    base = bed.apps[0].base;
  });

  afterAll(async () => {
    await bed?.close();
    upstream?.server.closeAllConnections();
    await new Promise((resolve) => upstream?.server.close(resolve));
  });

  beforeEach(() => {
    upstream.seen.length = 0;
  });

  const csrf = async (agent: CookieAgent) => ((await (await agent.request(`${base}/auth/csrf`)).json()) as { token: string }).token;

  it('forwards a session request with the access token as bearer; no cookie or CSRF header reaches the upstream, and its Set-Cookie does not come back', async () => {
    const agent = await bed.signIn('tara');
    agent.setCookie(new URL(base).host, 'other', 'also-private');
    const res = await agent.request(`${base}/backend/items?x=1`, { headers: { 'x-csrf-token': 'whatever' } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ upstream: true, path: '/v1/items?x=1' });
    expect(res.headers.get('set-cookie')).toBeNull();
    const [seen] = upstream.seen;
    expect(seen.url).toBe('/v1/items?x=1');
    expect(seen.headers.cookie).toBeUndefined();
    expect(seen.headers['x-csrf-token']).toBeUndefined();
    const token = /^Bearer (\S+)$/.exec(seen.headers.authorization ?? '')?.[1];
    expect(decodeJwt(token!)).toMatchObject({ sub: 'tara', aud: BED_CLIENT_ID });
  });

  it('unsafe methods keep the CSRF rule: without the token 403 and nothing is relayed; with it, the body is relayed', async () => {
    const agent = await bed.signIn('ursula');
    const body = JSON.stringify({ name: 'thing' });
    const refused = await agent.request(`${base}/backend/items`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json', origin: base },
    });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ code: 'AUTH_CSRF_TOKEN_INVALID' });
    expect(upstream.seen).toHaveLength(0);

    const ok = await agent.request(`${base}/backend/items`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json', origin: base, 'x-csrf-token': await csrf(agent) },
    });
    expect(ok.status).toBe(200);
    expect(upstream.seen[0]).toMatchObject({ method: 'POST', url: '/v1/items', body });
    expect(upstream.seen[0].headers['x-csrf-token']).toBeUndefined();
  });

  it('anonymous requests get 401 JSON and reach nothing; paths that merely start alike are not relayed', async () => {
    const res = await fetch(`${base}/backend/items`);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ statusCode: 401, code: 'AUTH_UNAUTHENTICATED' });
    expect((await fetch(`${base}/backendish`)).status).toBe(404);
    expect(upstream.seen).toHaveLength(0);
  });

  it('GET /auth/claims shows the claims of the session access token, never the token', async () => {
    const agent = await bed.signIn('vera');
    await agent.request(`${base}/backend/x`);
    const token = /^Bearer (\S+)$/.exec(upstream.seen[0].headers.authorization!)![1];
    const res = await agent.request(`${base}/auth/claims`);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).not.toContain(token);
    expect(text).not.toContain(token.split('.')[2]);
    expect(JSON.parse(text)).toMatchObject({ sub: 'vera', aud: BED_CLIENT_ID, iss: bed.provider.issuer });
    expect((await fetch(`${base}/auth/claims`)).status).toBe(401);
  });

  it('POST /auth/refresh needs the CSRF token, refreshes now and answers the new expiry; the relay then sends the new token', async () => {
    const agent = await bed.signIn('wanda');
    await agent.request(`${base}/backend/a`);
    const first = upstream.seen[0].headers.authorization;
    expect((await agent.request(`${base}/auth/refresh`, { method: 'POST', headers: { origin: base } })).status).toBe(403);

    const res = await agent.request(`${base}/auth/refresh`, {
      method: 'POST',
      headers: { origin: base, 'x-csrf-token': await csrf(agent) },
    });
    expect(res.status).toBe(200);
    const { expiresAt } = (await res.json()) as { expiresAt: string };
    expect(new Date(expiresAt).getTime()).toBeGreaterThan(Date.now() + 60_000);
    await agent.request(`${base}/backend/b`);
    expect(upstream.seen[1].headers.authorization).not.toBe(first);
  });

  it('a session access token about to expire is refreshed before it is relayed', async () => {
    const agent = await bed.signIn('zelda');
    await agent.request(`${base}/backend/first`);
    const first = upstream.seen[0].headers.authorization;
    // As if the token had 10 s left: inside the refresh margin.
    await bed.apps[0].app
      .get(DataSource)
      .query("UPDATE auth_sessions SET access_token_expires_at = now() + interval '10 seconds' WHERE subject = 'zelda'");
    const res = await agent.request(`${base}/backend/second`);
    expect(res.status).toBe(200);
    const second = upstream.seen[1].headers.authorization!;
    expect(second).not.toBe(first);
    expect(decodeJwt(/^Bearer (\S+)$/.exec(second)![1])).toMatchObject({ sub: 'zelda' });
  });

  it('a refresh the provider refuses ends the session: 401 AUTH_SESSION_REFRESH_FAILED', async () => {
    const agent = await bed.signIn('xena');
    // Spend the session's refresh token elsewhere: the provider rotates it, so the session's copy is reused and refused.
    const rows: Array<{ refresh_token_enc: string }> = await bed.apps[0].app
      .get(DataSource)
      .query("SELECT refresh_token_enc FROM auth_sessions WHERE subject = 'xena'");
    const stolen = new TokenCipher(BED_SESSION_SECRET).decrypt(rows[0].refresh_token_enc)!;
    const config = await client.discovery(
      new URL(bed.provider.issuer),
      BED_CLIENT_ID,
      undefined,
      client.ClientSecretBasic(BED_CLIENT_SECRET),
      { execute: [client.allowInsecureRequests] },
    );
    await client.refreshTokenGrant(config, stolen);

    const res = await agent.request(`${base}/auth/refresh`, {
      method: 'POST',
      headers: { origin: base, 'x-csrf-token': await csrf(agent) },
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ code: 'AUTH_SESSION_REFRESH_FAILED' });
    expect((await agent.request(`${base}/auth/me`)).status).toBe(401);
  });

  it('an upstream that does not answer is 503 JSON', async () => {
    const agent = await bed.signIn('yuri');
    upstream.server.close();
    upstream.server.closeAllConnections();
    try {
      const res = await agent.request(`${base}/backend/down`);
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({ statusCode: 503, code: 'AUTH_RELAY_UPSTREAM_UNAVAILABLE' });
    } finally {
      await new Promise<void>((resolve) => upstream.server.listen(Number(new URL(upstream.url).port), '127.0.0.1', resolve));
    }
  });
});
