import type { HttpRequest } from '../http/http-types.js';
import type { AuthUser } from '../users/auth-user.js';
import type { PassportActions, PassportVerify } from './passport-actions.js';

/** What one step of the browser login decided: go to the provider, or the user is signed in. */
export type BrowserLoginStep = { redirectTo: string } | { user: AuthUser; returnTo: string };

/**
 * A passport strategy for the browser login: a request without the provider's answer starts a
 * login (302 to the provider), the provider's answer (`code`/`error` + `state`) completes it.
 * Every failure is an `error`, so the module's filter answers with its own JSON 4xx/503 and
 * the chain stops (a browser login has no fallback).
 */
export class BrowserLoginStrategy {
  readonly name: string = 'nestflux-oidc';

  constructor(private readonly verify: PassportVerify) {}

  authenticate(this: BrowserLoginStrategy & PassportActions, req: HttpRequest): void {
    this.verify(req, (error, step) => {
      if (error) return this.error(error);
      const decided = step as BrowserLoginStep;
      if ('redirectTo' in decided) return this.redirect(decided.redirectTo, 302);
      this.success(decided.user, { returnTo: decided.returnTo });
    });
  }
}
