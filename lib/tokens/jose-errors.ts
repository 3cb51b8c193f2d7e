import { errors } from 'jose';
import { isNetworkFailure } from '../errors/dependency-errors.js';
import { DependencyUnavailableError, UnauthenticatedError, LoginError } from '../errors/auth-error.js';

/** True when jose could not reach the JWKS (as opposed to the token being bad). */
export function isJwksUnreachable(error: unknown): boolean {
  if (error instanceof errors.JWKSTimeout) return true;
  if (error instanceof errors.JOSEError) return false;
  // fetch() failures (connection refused, DNS, TLS) surface as TypeError / AbortError.
  return isNetworkFailure(error);
}

/** A short, token-free reason from a jose error, e.g. `ERR_JWT_EXPIRED: "exp" claim timestamp check failed`. */
export function joseReason(error: unknown): string {
  if (error instanceof errors.JOSEError) return `${error.code}: ${error.message}`;
  return error instanceof Error ? error.message : 'invalid token';
}

export function bearerFailure(error: unknown): Error {
  if (error instanceof UnauthenticatedError || error instanceof DependencyUnavailableError) return error;
  if (isJwksUnreachable(error)) {
    return new DependencyUnavailableError(
      'AUTH_PROVIDER_UNAVAILABLE',
      "Cannot fetch the identity provider's signing keys; retry shortly.",
      { cause: error },
    );
  }
  return new UnauthenticatedError('AUTH_TOKEN_INVALID', `Bearer token rejected (${joseReason(error)})`, { cause: error });
}

export function idTokenFailure(error: unknown): Error {
  if (error instanceof LoginError || error instanceof DependencyUnavailableError) return error;
  if (isJwksUnreachable(error)) {
    return new DependencyUnavailableError(
      'AUTH_PROVIDER_UNAVAILABLE',
      "Cannot fetch the identity provider's signing keys; retry shortly.",
      { cause: error },
    );
  }
  return new LoginError('AUTH_ID_TOKEN_INVALID', `ID token rejected (${joseReason(error)})`, { cause: error });
}
