import { LoginError } from '../errors/auth-error.js';
import type { LoginStepUp } from './oidc-login.strategy.js';

/** RFC 6749 §A: an acr value is a space-free token; quotes and backslashes are refused too (they end up in a challenge). */
const ACR_VALUE = /^[\x21\x23-\x5B\x5D-\x7E]{1,200}$/;
const MAX_ACR_VALUES = 10;
/** Ten years: anything larger is a mistake, not a policy. */
const MAX_MAX_AGE = 10 * 365 * 86400;

/**
 * The step-up parameters of `GET <prefix>/login?acr_values=…&max_age=…` (where the guard sends a
 * browser whose session is not strong or recent enough). Absent: a plain login. Malformed: 400.
 */
export function stepUpFromQuery(acrValues: unknown, maxAge: unknown): LoginStepUp | undefined {
  const stepUp: LoginStepUp = {};
  if (acrValues !== undefined) {
    const values = typeof acrValues === 'string' ? acrValues.split(' ').filter(Boolean) : [];
    if (values.length === 0 || values.length > MAX_ACR_VALUES || !values.every((value) => ACR_VALUE.test(value))) {
      throw new LoginError('AUTH_LOGIN_PARAMETER_INVALID', 'acr_values must be up to 10 space-separated acr values.');
    }
    stepUp.acrValues = [...new Set(values)];
  }
  if (maxAge !== undefined) {
    if (typeof maxAge !== 'string' || !/^\d{1,9}$/.test(maxAge) || Number(maxAge) > MAX_MAX_AGE) {
      throw new LoginError('AUTH_LOGIN_PARAMETER_INVALID', 'max_age must be a whole number of seconds.');
    }
    stepUp.maxAge = Number(maxAge);
  }
  return stepUp.acrValues || stepUp.maxAge !== undefined ? stepUp : undefined;
}

/** The login URL that asks for a step-up and comes back to `returnTo`. */
export function stepUpLoginUrl(loginPath: string, returnTo: string, stepUp: LoginStepUp): string {
  const query = new URLSearchParams({ returnTo });
  if (stepUp.acrValues?.length) query.set('acr_values', stepUp.acrValues.join(' '));
  if (stepUp.maxAge !== undefined) query.set('max_age', String(stepUp.maxAge));
  return `${loginPath}?${query.toString()}`;
}
