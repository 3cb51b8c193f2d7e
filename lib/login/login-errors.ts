import { Logger } from '@nestjs/common';
import * as client from 'openid-client';
import { AuthError, DependencyUnavailableError, LoginError } from '../errors/auth-error.js';
import { isNetworkFailure } from '../errors/dependency-errors.js';

const logger = new Logger('NestfluxAuth');

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
 * Error codes of RFC 6749 §4.1.2.1 / §5.2 and OpenID Connect Core §3.1.2.6. Anything else the
 * provider (or whoever crafted the callback URL) sends is logged as `other`: the query is
 * attacker-controlled text and never reaches a response or a log line as is.
 */
const KNOWN_PROVIDER_ERRORS = new Set([
  'invalid_request',
  'unauthorized_client',
  'access_denied',
  'unsupported_response_type',
  'invalid_scope',
  'server_error',
  'temporarily_unavailable',
  'interaction_required',
  'login_required',
  'account_selection_required',
  'consent_required',
  'invalid_request_uri',
  'invalid_request_object',
  'request_not_supported',
  'request_uri_not_supported',
  'registration_not_supported',
  'invalid_client',
  'invalid_grant',
  'unsupported_grant_type',
]);

/** The provider's `error` value if it is a registered code, else `other`: safe to log. */
export function sanitisedProviderError(value: unknown): string {
  return typeof value === 'string' && KNOWN_PROVIDER_ERRORS.has(value) ? value : 'other';
}

/** What every provider-side refusal answers: fixed text, so nothing from the callback is reflected. */
export function providerRefusal(cause?: unknown): LoginError {
  return new LoginError('AUTH_LOGIN_FAILED', 'The identity provider did not complete the login; start the login again.', { cause });
}

/**
 * Maps whatever the OIDC round trip threw to our error family: a provider that is down or
 * answers nonsense → 503; a refused grant or a token that fails a check → 4xx. Never a 500.
 * Messages are fixed or carry library codes only, never provider text.
 */
export function loginFailure(error: unknown): AuthError {
  if (error instanceof AuthError) return error;
  if (error instanceof client.AuthorizationResponseError) {
    logger.warn(`login: the provider answered the authorization request with error=${sanitisedProviderError(error.error)}`);
    return providerRefusal(error);
  }
  if (error instanceof client.ResponseBodyError) {
    if (error.status >= 500) return unavailable(error);
    logger.warn(`login: the token endpoint refused the code (HTTP ${error.status}, error=${sanitisedProviderError(error.error)})`);
    return providerRefusal(error);
  }
  if (error instanceof client.ClientError) {
    const code = (error as { code?: string }).code ?? '';
    // openid-client wraps fetch() failures (connection refused, reset) as "something went wrong".
    if (PROVIDER_FAULTS.has(code) || isNetworkFailure(error.cause)) return unavailable(error);
    return new LoginError('AUTH_ID_TOKEN_INVALID', `Login response rejected${/^[A-Z_]{1,64}$/.test(code) ? ` (${code})` : ''}`, {
      cause: error,
    });
  }
  if (isNetworkFailure(error)) return unavailable(error);
  return new LoginError('AUTH_LOGIN_FAILED', 'Login failed.', { cause: error });
}

function unavailable(cause: unknown): DependencyUnavailableError {
  return new DependencyUnavailableError(
    'AUTH_PROVIDER_UNAVAILABLE',
    'The identity provider is unavailable or answered nonsense; retry shortly.',
    { cause },
  );
}
