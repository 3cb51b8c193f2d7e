import * as client from 'openid-client';
import { AuthError, DependencyUnavailableError, LoginError } from '../errors/auth-error.js';
import { isNetworkFailure } from '../errors/dependency-errors.js';

/** openid-client codes meaning "the provider answered something unusable": a dependency problem. */
const PROVIDER_FAULTS = new Set<string>([
  'OAUTH_RESPONSE_IS_NOT_JSON',
  'OAUTH_RESPONSE_IS_NOT_CONFORM',
  'OAUTH_INVALID_SERVER_METADATA',
  'OAUTH_MISSING_SERVER_METADATA',
  'OAUTH_PARSE_ERROR',
  'OAUTH_TIMEOUT',
  'OAUTH_ABORT',
]);

/**
 * Maps whatever the OIDC round trip threw to our error family: a provider that is down or
 * answers nonsense → 503; a refused grant or a token that fails a check → 4xx. Never a 500.
 */
export function loginFailure(error: unknown): AuthError {
  if (error instanceof AuthError) return error;
  if (error instanceof client.AuthorizationResponseError) {
    return new LoginError('AUTH_LOGIN_FAILED', `The provider refused the login (${error.error})`, { cause: error });
  }
  if (error instanceof client.ResponseBodyError) {
    if (error.status >= 500) return unavailable(error);
    return new LoginError('AUTH_LOGIN_FAILED', `The provider refused the code exchange (${error.error})`, { cause: error });
  }
  if (error instanceof client.ClientError) {
    const code = (error as { code?: string }).code ?? '';
    // openid-client wraps fetch() failures (connection refused, reset) as "something went wrong".
    if (PROVIDER_FAULTS.has(code) || isNetworkFailure(error.cause)) return unavailable(error);
    return new LoginError('AUTH_ID_TOKEN_INVALID', `Login response rejected (${code || error.message})`.slice(0, 300), { cause: error });
  }
  if (isNetworkFailure(error)) return unavailable(error);
  return new LoginError('AUTH_LOGIN_FAILED', 'Login failed.', { cause: error });
}


function unavailable(cause: unknown): DependencyUnavailableError {
  return new DependencyUnavailableError('AUTH_PROVIDER_UNAVAILABLE', 'The identity provider is unavailable or answered nonsense; retry shortly.', { cause });
}
