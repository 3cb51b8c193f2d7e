import * as client from 'openid-client';
import { CookieAgent } from './cookie-agent.js';

/**
 * Gets tokens from a provider the way a CLI or API client would (authorization code + PKCE),
 * stopping at the redirect URI instead of letting the app's callback consume the code.
 */
export async function obtainTokens(options: {
  issuer: string;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  login: string;
  resource?: string;
}): Promise<client.TokenEndpointResponse> {
  const config = await client.discovery(
    new URL(options.issuer),
    options.clientId,
    undefined,
    client.ClientSecretBasic(options.clientSecret),
    {
      execute: [client.allowInsecureRequests],
    },
  );
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const params: Record<string, string> = {
    redirect_uri: options.redirectUri,
    scope: 'openid profile email',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    login_hint: options.login,
  };
  if (options.resource) params.resource = options.resource;
  const agent = new CookieAgent();
  const redirect = new URL(options.redirectUri);
  const { url } = await agent.follow(
    client.buildAuthorizationUrl(config, params),
    (u) => u.origin === redirect.origin && u.pathname === redirect.pathname,
  );
  if (!url.searchParams.has('code')) throw new Error(`no code at ${url.href}`);
  return client.authorizationCodeGrant(config, url, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce });
}
