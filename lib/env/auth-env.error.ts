import { AuthError } from '../errors/auth-error.js';

/** An environment variable `authOptionsFromEnv` cannot use: the message names it and the fix. */
export class AuthEnvError extends AuthError {
  override readonly name = 'AuthEnvError';
  constructor(
    /** The variable at fault, e.g. `OIDC_ISSUER_URL`. */
    readonly variable: string,
    message: string,
  ) {
    super('AUTH_CONFIG_INVALID', message);
  }
}
