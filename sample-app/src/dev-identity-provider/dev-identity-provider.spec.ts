import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import express from 'express';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import * as client from 'openid-client';

import { createDevIdentityProvider, startStandaloneDevIdentityProvider, type StandaloneDevIdentityProvider } from './index.js';

const CLIENT_ID = 'sample-app';
const SECRET = 'dev-secret';
const REDIRECT_URI = 'http://localhost:3999/auth/callback';
const baseOptions = {
  clients: [{ clientId: CLIENT_ID, clientSecret: SECRET, redirectUris: [REDIRECT_URI] }],
  accessTokenAudience: CLIENT_ID,
};

/** A minimal browser: follows redirects by hand, keeps cookies (one host, paths ignored). */
class Browser {
  private readonly cookies = new Map<string, string>();
  readonly pages: string[] = [];

  async request(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size) headers.set('cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    const response = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';');
      const [name, value] = [pair.slice(0, pair.indexOf('=')).trim(), pair.slice(pair.indexOf('=') + 1)];
      const expired = attributes.some((a) => /expires=Thu, 01 Jan 1970/i.test(a) || /max-age=0/i.test(a));
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return response;
  }

  /** Follows redirects until the redirect_uri; signs in as `login` on a sign-in form. */
  async run(startUrl: string, login: string): Promise<URL> {
    let url = startUrl;
    let init: RequestInit = {};
    for (let hop = 0; hop < 15; hop++) {
      const response = await this.request(url, init);
      init = {};
      const location = response.headers.get('location');
      if (location) {
        const next = new URL(location, url).href;
        if (next.startsWith(REDIRECT_URI)) return new URL(next);
        url = next;
        continue;
      }
      const html = await response.text();
      if (response.status !== 200) throw new Error(`unexpected ${response.status} at ${url}: ${html.slice(0, 300)}`);
      this.pages.push(html);
      const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
      if (!action) throw new Error(`no form at ${url}`);
      url = new URL(action.replace(/&amp;/g, '&'), url).href;
      init = { method: 'POST', body: new URLSearchParams({ login, password: 'ignored' }) };
    }
    throw new Error('too many redirects');
  }
}

async function codeFlow(issuer: string, login: string, extra: Record<string, string> = {}) {
  const config = await client.discovery(new URL(issuer), CLIENT_ID, undefined, client.ClientSecretBasic(SECRET), {
    execute: [client.allowInsecureRequests],
  });
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const authorizationUrl = client.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT_URI,
    scope: 'openid profile email',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    ...extra,
  });
  const browser = new Browser();
  const callback = await browser.run(authorizationUrl.href, login);
  const tokens = await client.authorizationCodeGrant(config, callback, {
    pkceCodeVerifier: verifier,
    expectedState: state,
    expectedNonce: nonce,
  });
  return { config, tokens, browser };
}

describe('development identity provider (standalone)', () => {
  let idp: StandaloneDevIdentityProvider;
  beforeAll(async () => {
    idp = await startStandaloneDevIdentityProvider({ ...baseOptions, autoLoginHint: true });
  });
  afterAll(() => idp.close());

  it('runs a code flow with PKCE through the sign-in form and issues the documented claims', async () => {
    const { config, tokens, browser } = await codeFlow(idp.url, 'admin');

    expect(browser.pages[0]).toContain('name="login"');
    expect(browser.pages[0]).toContain('for development only, never in production');
    expect(tokens.claims()).toMatchObject({
      iss: idp.issuer,
      aud: CLIENT_ID,
      sub: 'admin',
      email: 'admin@example.test',
      name: 'Admin',
      preferred_username: 'admin',
      roles: ['admin'],
    });
    expect(tokens.refresh_token).toEqual(expect.any(String));

    expect(decodeProtectedHeader(tokens.access_token)).toMatchObject({ typ: 'at+jwt', alg: 'RS256' });
    const jwks = createRemoteJWKSet(new URL(config.serverMetadata().jwks_uri!));
    const { payload } = await jwtVerify(tokens.access_token, jwks, {
      issuer: idp.issuer,
      audience: CLIENT_ID,
      typ: 'at+jwt',
      algorithms: ['RS256'],
    });
    expect(payload).toMatchObject({
      sub: 'admin',
      email: 'admin@example.test',
      name: 'Admin',
      preferred_username: 'admin',
      roles: ['admin'],
    });

    const userinfo = await client.fetchUserInfo(config, tokens.access_token, 'admin');
    expect(userinfo).toEqual({
      sub: 'admin',
      roles: ['admin'],
      name: 'Admin',
      preferred_username: 'admin',
      email: 'admin@example.test',
      email_verified: true,
    });

    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token!);
    expect(decodeProtectedHeader(refreshed.access_token)).toMatchObject({ typ: 'at+jwt' });
  });

  it('ends the session through the auto-submitting logout page', async () => {
    const { config, tokens, browser } = await codeFlow(idp.url, 'carol');
    const endSession = client.buildEndSessionUrl(config, { id_token_hint: tokens.id_token! });
    const page = await (await browser.request(endSession.href)).text();
    expect(page).toContain('name="logout" value="yes"');
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(page)![1];
    const confirm = await browser.request(`${idp.url}/session/end/confirm`, {
      method: 'POST',
      body: new URLSearchParams({ xsrf, logout: 'yes' }),
    });
    expect(confirm.status).toBe(303);
  });

  it('signs a login_hint user in at once when autoLoginHint is on', async () => {
    const { tokens, browser } = await codeFlow(idp.url, 'unused', { login_hint: 'bob.smith' });
    expect(browser.pages).toHaveLength(0);
    expect(tokens.claims()).toMatchObject({ sub: 'bob.smith', name: 'Bob.smith', email: 'bob.smith@example.test', roles: [] });
  });

  it('shows the form again, escaped, for an unacceptable user name', async () => {
    const browser = new Browser();
    const config = await client.discovery(new URL(idp.url), CLIENT_ID, undefined, client.ClientSecretBasic(SECRET), {
      execute: [client.allowInsecureRequests],
    });
    const start = client.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT_URI,
      scope: 'openid',
      code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
    });
    const interactionUrl = new URL((await browser.request(start.href)).headers.get('location')!, idp.url).href;
    const response = await browser.request(interactionUrl, {
      method: 'POST',
      body: new URLSearchParams({ login: '<script>x</script>' }),
    });
    const html = await response.text();
    expect(response.status).toBe(400);
    expect(html).toContain('name="login"');
    expect(html).toContain('&lt;script&gt;');
    expect(html).not.toContain('<script>x');
  });

  it('answers garbage with 4xx', async () => {
    const token = await fetch(`${idp.url}/token`, { method: 'POST', body: 'grant_type=%%%' });
    expect(token.status).toBeGreaterThanOrEqual(400);
    expect(token.status).toBeLessThan(500);
    const interaction = await fetch(`${idp.url}/interaction/nope`);
    expect(interaction.status).toBe(400);
    const auth = await fetch(`${idp.url}/auth?client_id=${CLIENT_ID}&response_type=code&redirect_uri=javascript:alert(1)`);
    expect(auth.status).toBeGreaterThanOrEqual(400);
    expect(auth.status).toBeLessThan(500);
  });
});

describe('development identity provider (mounted under express at /oidc)', () => {
  let server: Server;
  let issuer: string;
  beforeAll(async () => {
    const app = express();
    // Nest registers body parsers before any middleware: both our form and oidc-provider cope.
    app.use(express.urlencoded({ extended: false }), express.json());
    // eslint-disable-next-line prefer-const -- set once the server listens (the issuer names its port)
    let handler: ((req: express.Request, res: express.Response) => void) | undefined;
    app.use('/oidc', (req, res) => handler!(req, res));
    app.get('/health', (_req, res) => void res.json({ status: 'ok' }));
    server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}/oidc`;
    handler = (await createDevIdentityProvider({ ...baseOptions, issuer })).handler;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('serves discovery and a full code flow below the prefix', async () => {
    const { config, tokens, browser } = await codeFlow(issuer, 'alice');
    const metadata = config.serverMetadata();
    expect(metadata.issuer).toBe(issuer);
    expect(metadata.authorization_endpoint).toBe(`${issuer}/auth`);
    expect(metadata.end_session_endpoint).toBe(`${issuer}/session/end`);
    expect(metadata.code_challenge_methods_supported).toEqual(['S256']);
    expect(browser.pages[0]).toContain('action="/oidc/interaction/');
    expect(tokens.claims()).toMatchObject({ iss: issuer, sub: 'alice', name: 'Alice', roles: [] });
    const { payload } = await jwtVerify(tokens.access_token, createRemoteJWKSet(new URL(metadata.jwks_uri!)), {
      issuer,
      audience: CLIENT_ID,
    });
    expect(payload.sub).toBe('alice');
  });
});
