import * as client from 'openid-client';
import { CookieAgent } from './cookie-agent.js';

/** The library's default session cookie name (the sample app keeps the default). */
export const SESSION_COOKIE = 'nestflux.sid';

/**
 * The browser login over HTTP: /auth/login → the embedded provider (which signs `login` in at
 * once thanks to `login_hint` and the sample app's auto-login override) → /auth/callback.
 * Returns the session cookie value.
 */
export async function sessionCookie(baseUrl: string, login: string): Promise<string> {
  const agent = new CookieAgent();
  const first = await agent.request(new URL('/auth/login?returnTo=%2F', baseUrl));
  if (first.status !== 302) throw new Error(`GET /auth/login answered ${first.status}: ${await first.text()}`);
  const authorize = new URL(first.headers.get('location')!);
  authorize.searchParams.set('login_hint', login);
  const origin = new URL(baseUrl).origin;
  const { url } = await agent.follow(authorize, (u) => u.origin === origin && u.pathname === '/auth/callback');
  if (url.pathname !== '/auth/callback') throw new Error(`the login did not reach /auth/callback (stopped at ${url.href})`);
  const callback = await agent.request(url);
  await callback.arrayBuffer();
  const sid = agent.cookie(new URL(baseUrl).host, SESSION_COOKIE);
  if (callback.status !== 302 || !sid) throw new Error(`GET /auth/callback answered ${callback.status} without a ${SESSION_COOKIE} cookie`);
  return sid;
}

/**
 * A bearer access token the way an API client gets one: code flow + PKCE with openid-client
 * against the provider, stopping at the redirect URI so the app's callback never sees the code.
 */
export async function bearerAccessToken(options: { issuer: string; clientId: string; clientSecret: string; redirectUri: string; login: string }): Promise<string> {
  const config = await client.discovery(new URL(options.issuer), options.clientId, undefined, client.ClientSecretBasic(options.clientSecret), {
    execute: [client.allowInsecureRequests],
  });
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const authorize = client.buildAuthorizationUrl(config, {
    redirect_uri: options.redirectUri,
    scope: 'openid profile email',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    login_hint: options.login,
  });
  const redirect = new URL(options.redirectUri);
  const { url } = await new CookieAgent().follow(authorize, (u) => u.origin === redirect.origin && u.pathname === redirect.pathname);
  if (!url.searchParams.has('code')) throw new Error(`no authorization code at ${url.href}`);
  const tokens = await client.authorizationCodeGrant(config, url, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce });
  return tokens.access_token;
}

/** The same token with its signature reversed: well-formed, known `kid`, fails RSA verification. */
export function forgedSignature(jwt: string): string {
  const [header, payload, signature] = jwt.split('.');
  return `${header}.${payload}.${[...signature].reverse().join('')}`;
}
