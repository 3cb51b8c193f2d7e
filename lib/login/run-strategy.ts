import type { HttpRequest as Request } from '../http/http-types.js';
import type { Strategy } from 'openid-client/passport';
import { describeValue } from '../errors/describe-value.js';

export type StrategyOutcome = { kind: 'redirect'; url: string } | { kind: 'success'; user: unknown } | { kind: 'fail'; info: unknown };

/**
 * Runs a passport strategy for one request and reports what it decided, the way passport's
 * `authenticate` middleware drives it (a per-request object with redirect/success/fail/error).
 * We drive it ourselves because passport's middleware writes the redirect to the response and
 * never settles, while we must store the login state before the redirect leaves, and map
 * failures to our JSON errors.
 */
export function runStrategy(strategy: Strategy, req: Request, options: Record<string, unknown> = {}): Promise<StrategyOutcome> {
  return new Promise((resolve, reject) => {
    const actions = {
      redirect: (url: string) => resolve({ kind: 'redirect', url }),
      success: (user: unknown) => resolve({ kind: 'success', user }),
      fail: (info: unknown) => resolve({ kind: 'fail', info }),
      error: (error: unknown) => reject(asError(error)),
      pass: () => resolve({ kind: 'fail', info: { message: 'strategy passed' } }),
    };
    const perRequest = Object.assign(Object.create(strategy) as Strategy, actions);
    try {
      perRequest.authenticate(req as never, options);
    } catch (error) {
      reject(asError(error));
    }
  });
}

/** Passport strategies may fail with anything; callers get an Error. */
function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(`strategy failed: ${describeValue(error)}`);
}
