/**
 * A setting the sample app cannot start with. The message names the variable and the fix;
 * `npm start` prints it alone (no stack) and exits 1.
 */
export class SampleConfigError extends Error {
  constructor(
    /** The environment variable at fault, e.g. `OIDC_ISSUER_URL`. */
    readonly variable: string,
    message: string,
  ) {
    super(message);
    this.name = 'SampleConfigError';
  }
}
