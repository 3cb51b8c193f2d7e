/**
 * Every failure the library reports to a caller has a stable code, so callers `switch (err.code)`
 * and the exception filter maps it to an HTTP status. Messages never contain a token or secret.
 */
export type AuthErrorCode =
  | 'AUTH_CONFIG_INVALID'
  | 'AUTH_UNAUTHENTICATED'
  | 'AUTH_TOKEN_INVALID'
  | 'AUTH_SESSION_INVALID'
  | 'AUTH_LOGIN_STATE_INVALID'
  | 'AUTH_LOGIN_BROWSER_MISMATCH'
  | 'AUTH_RATE_LIMITED'
  | 'AUTH_LOGIN_FAILED'
  | 'AUTH_ID_TOKEN_INVALID'
  | 'AUTH_USER_INACTIVE'
  | 'AUTH_FORBIDDEN_ROLE'
  | 'AUTH_FORBIDDEN_SCOPE'
  | 'AUTH_CROSS_SITE_REQUEST'
  | 'AUTH_PROVIDER_UNAVAILABLE'
  | 'AUTH_DATABASE_UNAVAILABLE'
  | 'AUTH_STEP_UP_REQUIRED'
  | 'AUTH_INPUT_REJECTED'
  | 'AUTH_DATABASE_ERROR'
  | 'AUTH_SESSION_REFRESH_FAILED'
  | 'AUTH_LOGOUT_LINK_INVALID'
  | 'AUTH_LOGOUT_TOKEN_INVALID'
  | 'AUTH_CSRF_TOKEN_INVALID'
  | 'AUTH_SESSION_NOT_FOUND'
  | 'AUTH_DEVICE_FLOW_UNAVAILABLE'
  | 'AUTH_CLAIMS_UNAVAILABLE'
  | 'AUTH_SESSION_NOT_REFRESHABLE'
  | 'AUTH_FRONTCHANNEL_LOGOUT_INVALID'
  | 'AUTH_FRONTCHANNEL_LOGOUT_UNAVAILABLE'
  | 'AUTH_LOGIN_PARAMETER_INVALID'
  | 'AUTH_PROVIDER_NOT_FOUND'
  | 'AUTH_NOT_PROVISIONED'
  | 'AUTH_USERINFO_INVALID'
  | 'AUTH_IDENTITY_CONFLICT'
  | 'AUTH_IDENTITY_NOT_FOUND'
  | 'AUTH_LAST_IDENTITY'
  | 'AUTH_USER_EXISTS';

/** HTTP status for each code: the one place that decides it. */
export const AUTH_ERROR_STATUS: Readonly<Record<AuthErrorCode, number>> = {
  AUTH_CONFIG_INVALID: 500,
  AUTH_UNAUTHENTICATED: 401,
  AUTH_TOKEN_INVALID: 401,
  AUTH_SESSION_INVALID: 401,
  AUTH_LOGIN_STATE_INVALID: 400,
  AUTH_LOGIN_BROWSER_MISMATCH: 400,
  AUTH_RATE_LIMITED: 429,
  AUTH_LOGIN_FAILED: 401,
  AUTH_ID_TOKEN_INVALID: 401,
  AUTH_USER_INACTIVE: 403,
  AUTH_FORBIDDEN_ROLE: 403,
  AUTH_FORBIDDEN_SCOPE: 403,
  AUTH_CROSS_SITE_REQUEST: 403,
  AUTH_PROVIDER_UNAVAILABLE: 503,
  AUTH_DATABASE_UNAVAILABLE: 503,
  AUTH_STEP_UP_REQUIRED: 401,
  AUTH_INPUT_REJECTED: 400,
  AUTH_DATABASE_ERROR: 500,
  AUTH_SESSION_REFRESH_FAILED: 401,
  AUTH_LOGOUT_LINK_INVALID: 400,
  AUTH_LOGOUT_TOKEN_INVALID: 400,
  AUTH_CSRF_TOKEN_INVALID: 403,
  AUTH_SESSION_NOT_FOUND: 404,
  AUTH_DEVICE_FLOW_UNAVAILABLE: 404,
  AUTH_CLAIMS_UNAVAILABLE: 404,
  AUTH_SESSION_NOT_REFRESHABLE: 409,
  AUTH_FRONTCHANNEL_LOGOUT_INVALID: 400,
  AUTH_FRONTCHANNEL_LOGOUT_UNAVAILABLE: 404,
  AUTH_LOGIN_PARAMETER_INVALID: 400,
  AUTH_PROVIDER_NOT_FOUND: 404,
  AUTH_NOT_PROVISIONED: 403,
  AUTH_USERINFO_INVALID: 401,
  AUTH_IDENTITY_CONFLICT: 409,
  AUTH_IDENTITY_NOT_FOUND: 404,
  AUTH_LAST_IDENTITY: 409,
  AUTH_USER_EXISTS: 409,
};

export class AuthError extends Error {
  override readonly name: string = 'AuthError';
  constructor(
    readonly code: AuthErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  get status(): number {
    return AUTH_ERROR_STATUS[this.code];
  }
}

/** A bad or missing option; thrown at boot, names the key and the fix. */
export class AuthConfigError extends AuthError {
  override readonly name = 'AuthConfigError';
  constructor(
    readonly key: string,
    problem: string,
    fix: string,
  ) {
    super('AUTH_CONFIG_INVALID', `AuthModule option "${key}" ${problem}. ${fix}`);
  }
}

/** No credentials, or credentials that did not verify. */
export class UnauthenticatedError extends AuthError {
  override readonly name: string = 'UnauthenticatedError';
  constructor(
    code: 'AUTH_UNAUTHENTICATED' | 'AUTH_TOKEN_INVALID' | 'AUTH_SESSION_INVALID' | 'AUTH_SESSION_REFRESH_FAILED',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
  }
}

/** A signed-in user who lacks a role or scope, or is deactivated. */
export class ForbiddenError extends AuthError {
  override readonly name = 'ForbiddenError';
  constructor(
    code:
      | 'AUTH_FORBIDDEN_ROLE'
      | 'AUTH_FORBIDDEN_SCOPE'
      | 'AUTH_USER_INACTIVE'
      | 'AUTH_CROSS_SITE_REQUEST'
      | 'AUTH_CSRF_TOKEN_INVALID'
      | 'AUTH_NOT_PROVISIONED',
    message: string,
  ) {
    super(code, message);
  }
}

export type LoginErrorCode =
  | 'AUTH_LOGIN_STATE_INVALID'
  | 'AUTH_LOGIN_BROWSER_MISMATCH'
  | 'AUTH_LOGIN_FAILED'
  | 'AUTH_ID_TOKEN_INVALID'
  | 'AUTH_LOGIN_PARAMETER_INVALID'
  | 'AUTH_USERINFO_INVALID';

/** A login callback that cannot complete: unknown state, provider error, bad ID token. */
export class LoginError extends AuthError {
  override readonly name = 'LoginError';
  constructor(code: LoginErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** The provider (or the database) is unreachable or answers nonsense: 503, retry later. */
export class DependencyUnavailableError extends AuthError {
  override readonly name = 'DependencyUnavailableError';
  constructor(code: 'AUTH_PROVIDER_UNAVAILABLE' | 'AUTH_DATABASE_UNAVAILABLE', message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/**
 * The database refused a statement for a reason other than being unreachable: a value it cannot
 * store (SQLSTATE class 22, `AUTH_INPUT_REJECTED`, 400) or anything else (`AUTH_DATABASE_ERROR`,
 * 500, logged with its SQLSTATE). The message names the SQLSTATE only, never a value.
 */
export class DatabaseError extends AuthError {
  override readonly name = 'DatabaseError';
  constructor(
    code: 'AUTH_INPUT_REJECTED' | 'AUTH_DATABASE_ERROR',
    readonly sqlState: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
  }
}

/**
 * RFC 9470: the user is signed in, but not strongly or recently enough for this route. Answered
 * 401 with `WWW-Authenticate: Bearer error="insufficient_user_authentication"` and the
 * `acr_values` / `max_age` the client should ask the provider for.
 */
export class StepUpRequiredError extends AuthError {
  override readonly name = 'StepUpRequiredError';
  constructor(
    message: string,
    readonly acrValues: readonly string[] | undefined,
    readonly maxAgeSeconds: number | undefined,
  ) {
    super('AUTH_STEP_UP_REQUIRED', message);
  }

  /** The RFC 9470 §3 challenge. acr values are checked at decoration time: no quotes or spaces. */
  get challenge(): string {
    const parts = ['error="insufficient_user_authentication"', `error_description="${this.message.replace(/["\\]/g, '')}"`];
    if (this.acrValues?.length) parts.push(`acr_values="${this.acrValues.join(' ')}"`);
    if (this.maxAgeSeconds !== undefined) parts.push(`max_age=${this.maxAgeSeconds}`);
    return `Bearer ${parts.join(', ')}`;
  }
}

/** A session or logout request that cannot be honoured: a used logout link, a bad logout token, a session that is not the user's. */
export class SessionRequestError extends AuthError {
  override readonly name = 'SessionRequestError';
  constructor(
    code:
      | 'AUTH_LOGOUT_LINK_INVALID'
      | 'AUTH_LOGOUT_TOKEN_INVALID'
      | 'AUTH_SESSION_NOT_FOUND'
      | 'AUTH_SESSION_NOT_REFRESHABLE'
      | 'AUTH_FRONTCHANNEL_LOGOUT_INVALID',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
  }
}

/** Enforce mode: an anonymous browser request, sent to the login (302) instead of a 401. */
export class LoginRedirectError extends UnauthenticatedError {
  override readonly name: string = 'LoginRedirectError';
  constructor(readonly location: string) {
    super('AUTH_UNAUTHENTICATED', 'Sign in first.');
  }
}

/** A feature this app or its provider does not offer, e.g. the device grant: 404. */
export class FeatureUnavailableError extends AuthError {
  override readonly name = 'FeatureUnavailableError';
  constructor(code: 'AUTH_DEVICE_FLOW_UNAVAILABLE' | 'AUTH_CLAIMS_UNAVAILABLE' | 'AUTH_FRONTCHANNEL_LOGOUT_UNAVAILABLE', message: string) {
    super(code, message);
  }
}
