import { AuthError, DependencyUnavailableError } from './auth-error.js';

/** Driver/socket codes that mean "the database is not reachable", not "the query is wrong". */
const DATABASE_DOWN_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', '57P01', '57P03', '08000', '08003', '08006']);

/** AuthErrors pass through; a database that is down becomes a 503; anything else is rethrown as is. */
export function asDependencyError(error: unknown): unknown {
  if (error instanceof AuthError) return error;
  const code = (error as { code?: unknown })?.code;
  const message = error instanceof Error ? error.message : '';
  if ((typeof code === 'string' && DATABASE_DOWN_CODES.has(code)) || /Connection terminated|timeout exceeded when trying to connect/i.test(message)) {
    return new DependencyUnavailableError('AUTH_DATABASE_UNAVAILABLE', 'The session database is unavailable; retry shortly.', { cause: error });
  }
  return error;
}

/**
 * fetch() could not reach the provider: TypeError("fetch failed"), aborts and timeouts. Checked
 * by name, not instanceof: fetch's errors may come from another realm (vm contexts, test runners).
 */
export function isNetworkFailure(error: unknown): boolean {
  const name = (error as { name?: unknown } | null)?.name;
  return name === 'TypeError' || name === 'AbortError' || name === 'TimeoutError';
}
