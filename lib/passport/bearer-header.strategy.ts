import type { HttpRequest } from '../http/http-types.js';
import { UnauthenticatedError } from '../errors/auth-error.js';
import type { PassportActions, PassportVerify } from './passport-actions.js';

/**
 * A passport strategy for `Authorization: Bearer <token>`. A request without one is not ours:
 * `fail` (not `error`), so `AuthGuard(['nestflux-jwt', 'api-key'])` goes on to the next
 * strategy. A bearer token that does not verify fails the same way (the chain may still accept
 * the request, otherwise passport answers 401). Anything else, e.g. a provider that cannot be
 * reached (503) or a deactivated account (403), is an `error` that ends the chain with our status.
 */
export class BearerHeaderStrategy {
  readonly name: string = 'nestflux-jwt';

  constructor(private readonly verify: PassportVerify) {}

  authenticate(this: BearerHeaderStrategy & PassportActions, req: HttpRequest): void {
    const header = req.headers.authorization;
    if (typeof header !== 'string' || !/^Bearer +\S/i.test(header)) {
      this.fail('Bearer', 401);
      return;
    }
    this.verify(req, (error, user) => {
      if (error instanceof UnauthenticatedError) this.fail('Bearer error="invalid_token"', 401);
      else if (error) this.error(error);
      else if (user) this.success(user);
      else this.fail('Bearer error="invalid_token"', 401);
    });
  }
}
