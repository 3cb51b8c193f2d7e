import { describe, expect, it } from '@jest/globals';
import { Reflector } from '@nestjs/core';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host.js';
import { Public } from '../decorators/public.decorator.js';
import { UnauthenticatedError } from '../errors/auth-error.js';
import { AuthGuard } from './auth.guard.js';
import type { RequestAuthenticator } from './request-authenticator.service.js';

class Handlers {
  @Public()
  open(): void {}

  closed(): void {}
}

/** Contexts the guard cannot read (RPC, anything new) are refused unless the handler is public. */
describe('AuthGuard on contexts it does not understand', () => {
  // The authenticator is never reached for these contexts: that is the point.
  const guard = new AuthGuard(new Reflector(), undefined as unknown as RequestAuthenticator);
  const context = (type: string, handler: () => void) => {
    const host = new ExecutionContextHost([{ pattern: 'x' }, {}], Handlers, handler);
    host.setType(type);
    return host;
  };

  it.each(['rpc', 'kafka-like-custom'])('denies a %s handler with AUTH_UNAUTHENTICATED', async (type) => {
    const attempt = guard.canActivate(context(type, Handlers.prototype.closed));
    await expect(attempt).rejects.toBeInstanceOf(UnauthenticatedError);
    await expect(attempt).rejects.toMatchObject({ code: 'AUTH_UNAUTHENTICATED' });
  });

  it('lets a @Public() handler through in any context', async () => {
    await expect(guard.canActivate(context('rpc', Handlers.prototype.open))).resolves.toBe(true);
  });
});
