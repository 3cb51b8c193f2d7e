import { AuthError, DatabaseError, DependencyUnavailableError } from './auth-error.js';

/** Driver/socket codes that mean "the database is not reachable", not "the query is wrong". */
const DATABASE_DOWN_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', '57P01', '57P03', '08000', '08003', '08006']);

/** A PostgreSQL SQLSTATE: five digits or upper-case letters. */
const SQLSTATE = /^[0-9A-Z]{5}$/;

/**
 * AuthErrors pass through; a database that is down becomes a 503; any other database error
 * becomes a coded `DatabaseError` (400 for a value PostgreSQL cannot store, else 500), so no
 * database failure reaches a client as a bare 500; anything else is rethrown as is.
 */
export function asDependencyError(error: unknown): unknown {
  if (error instanceof AuthError) return error;
  const code = sqlStateOf(error) ?? (error as { code?: unknown })?.code;
  const message = error instanceof Error ? error.message : '';
  if (
    (typeof code === 'string' && DATABASE_DOWN_CODES.has(code)) ||
    /Connection terminated|timeout exceeded when trying to connect/i.test(message)
  ) {
    return new DependencyUnavailableError('AUTH_DATABASE_UNAVAILABLE', 'The session database is unavailable; retry shortly.', {
      cause: error,
    });
  }
  const sqlState = sqlStateOf(error);
  if (sqlState === undefined) return error;
  // Class 22 "data exception": the value (a claim, a header) is what the database cannot take.
  if (sqlState.startsWith('22')) {
    return new DatabaseError('AUTH_INPUT_REJECTED', sqlState, `The request carried a value that cannot be stored (SQLSTATE ${sqlState}).`, {
      cause: error,
    });
  }
  return new DatabaseError('AUTH_DATABASE_ERROR', sqlState, `The database refused the operation (SQLSTATE ${sqlState}).`, { cause: error });
}

/** The SQLSTATE of a pg `DatabaseError` or of a TypeORM `QueryFailedError` wrapping one. */
export function sqlStateOf(error: unknown): string | undefined {
  if (error === null || typeof error !== 'object') return undefined;
  const { code, driverError } = error as { code?: unknown; driverError?: { code?: unknown } };
  const candidate = typeof driverError?.code === 'string' ? driverError.code : code;
  const isDatabaseError = (error as { name?: unknown }).name === 'QueryFailedError' || 'severity' in error || driverError !== undefined;
  return isDatabaseError && typeof candidate === 'string' && SQLSTATE.test(candidate) ? candidate : undefined;
}

/**
 * fetch() could not reach the provider: TypeError("fetch failed"), aborts and timeouts. Checked
 * by name, not instanceof: fetch's errors may come from another realm (vm contexts, test runners).
 */
export function isNetworkFailure(error: unknown): boolean {
  const name = (error as { name?: unknown } | null)?.name;
  return name === 'TypeError' || name === 'AbortError' || name === 'TimeoutError';
}
