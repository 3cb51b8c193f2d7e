import { signIn } from '../../test/support/sample-app-harness.js';
import { obtainTokens } from '../../test/support/token-client.js';

/** The library's default session cookie name (the sample app keeps the default). */
export const SESSION_COOKIE = 'nestflux.sid';

/** The browser login over HTTP (the tests' own walk through the provider); the session cookie. */
export async function sessionCookie(baseUrl: string, login: string): Promise<string> {
  const { agent, final } = await signIn(baseUrl, login);
  const sid = agent.cookie(new URL(baseUrl).host, SESSION_COOKIE);
  if (final.status !== 302 || !sid) throw new Error(`GET /auth/callback answered ${final.status} without a ${SESSION_COOKIE} cookie`);
  return sid;
}

/** A bearer access token the way an API client gets one (code flow + PKCE, see the tests). */
export async function bearerAccessToken(options: {
  issuer: string;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  login: string;
}): Promise<string> {
  return (await obtainTokens(options)).access_token;
}
