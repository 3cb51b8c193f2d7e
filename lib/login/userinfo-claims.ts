import * as client from 'openid-client';
import { LoginError } from '../errors/auth-error.js';
import type { ConfiguredProvider } from '../provider/configured-provider.js';
import { loginFailure } from './login-errors.js';

/** Claims from which the built-in mapping derives a display name. */
const NAME_CLAIMS = ['name', 'preferred_username', 'given_name', 'family_name', 'nickname'];

/**
 * True when verified claims lack what the requested scopes promise the mapping: an email (scope
 * `email`) or any name (scope `profile`). OIDC Core §5.4 lets a provider put those claims in
 * userinfo only (LemonLDAP::NG does by default: its ID token carries `sub`, `acr`, `auth_time`).
 */
export function lacksProfileClaims(claims: Readonly<Record<string, unknown>>, scope: string): boolean {
  const scopes = scope.split(' ');
  if (scopes.includes('email') && typeof claims.email !== 'string') return true;
  return scopes.includes('profile') && !NAME_CLAIMS.some((name) => typeof claims[name] === 'string');
}

/**
 * Verified claims completed from the provider's userinfo endpoint, by the provider's
 * `fetchUserInfo` mode: `'auto'` reads it when the provider has one and the claims lack profile
 * claims, and keeps the verified claims where both have one; `true` always reads it and lets its
 * claims win. Userinfo's `sub` must be the verified one (OIDC Core §5.3.2), else the login
 * fails (401 `AUTH_USERINFO_INVALID`): claims about someone else never reach a user row.
 */
export async function collectUserInfo(
  provider: ConfiguredProvider,
  claims: Record<string, unknown>,
  accessToken: string | undefined,
): Promise<Record<string, unknown>> {
  const mode = provider.login.fetchUserInfo;
  if (mode === false || !accessToken || typeof claims.sub !== 'string') return claims;
  const { config } = await provider.client.get();
  if (mode === 'auto' && (!config.serverMetadata().userinfo_endpoint || !lacksProfileClaims(claims, provider.login.scope))) return claims;
  let info: client.UserInfoResponse;
  try {
    // The subject is compared here rather than by openid-client, so a mismatch has its own code.
    info = await client.fetchUserInfo(config, accessToken, client.skipSubjectCheck);
  } catch (error) {
    throw loginFailure(error);
  }
  if (info.sub !== claims.sub) {
    throw new LoginError('AUTH_USERINFO_INVALID', 'Login rejected (the userinfo response is about another subject)');
  }
  return mode === 'auto' ? { ...info, ...claims } : { ...claims, ...info, sub: claims.sub };
}
