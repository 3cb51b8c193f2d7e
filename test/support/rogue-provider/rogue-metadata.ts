import type { ServerResponse } from 'node:http';

/** The discovery document: just enough of a real provider's for openid-client and the library. */
export function rogueDiscovery(issuer: string): Record<string, unknown> {
  return {
    issuer,
    authorization_endpoint: `${issuer}/authorize`,
    token_endpoint: `${issuer}/token`,
    jwks_uri: `${issuer}/jwks`,
    userinfo_endpoint: `${issuer}/userinfo`,
    end_session_endpoint: `${issuer}/logout`,
    code_challenge_methods_supported: ['S256'],
    id_token_signing_alg_values_supported: ['RS256'],
    token_endpoint_auth_methods_supported: ['client_secret_basic'],
    response_types_supported: ['code'],
    subject_types_supported: ['public'],
    scopes_supported: ['openid', 'profile', 'email'],
    grant_types_supported: ['authorization_code', 'refresh_token'],
    authorization_response_iss_parameter_supported: true,
  };
}

/** The end-session endpoint: no sessions to end, so it only sends the browser on. */
export function rogueEndSession(params: URLSearchParams, res: ServerResponse): void {
  const target = params.get('post_logout_redirect_uri');
  if (target && URL.canParse(target)) {
    res.writeHead(302, { Location: target });
    res.end();
    return;
  }
  res.writeHead(200, { 'Content-Type': 'text/plain' });
  res.end('signed out');
}
