import { Inject, Injectable, Optional, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { asHttpResponse } from '../http/http-response.adapter.js';
import { RATE_LIMIT_SETTINGS } from '../auth.tokens.js';
import { AuditLogService } from '../audit/audit-log.service.js';
import { AuthError } from '../errors/auth-error.js';
import type { HttpRequest } from '../http/http-types.js';
import type { RateLimitSettings } from '../options/resolved-auth-options.js';

/**
 * Rate limit of the library's login and callback (and link) routes, applied to those routes only,
 * never globally: the host's own routes are not limited. Counted per route and client IP; the
 * client IP comes from `X-Forwarded-For` only behind a configured trusted proxy. Over the limit:
 * `429 AUTH_RATE_LIMITED` with `Retry-After`.
 *
 * Why not @nestjs/throttler's guard: it is CommonJS and `require`s @nestjs/common, which is
 * ESM-only from Nest 12; Node 20.19+ runs that, but Jest's module runtime on Node 20 cannot.
 */
@Injectable()
export class AuthRateLimitGuard implements CanActivate {
  constructor(
    @Inject(RATE_LIMIT_SETTINGS) private readonly settings: RateLimitSettings,
    @Optional() private readonly audit?: AuditLogService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const http = context.switchToHttp();
    const req = http.getRequest<IncomingMessage>();
    const route = context.getHandler().name;
    const key = `${route}:${this.tracker(req)}`;
    const { totalHits, resetInMs } = await this.settings.storage.increment(key, this.settings.windowMs);
    if (totalHits <= this.settings.limit) return true;
    // Once per client, route and window: a flood must not flood the audit log's queue too.
    if (totalHits === this.settings.limit + 1) {
      this.audit?.record(
        { event: 'rate_limited', outcome: 'failure', code: 'AUTH_RATE_LIMITED', details: { route } },
        req as unknown as HttpRequest,
      );
    }
    const retryAfter = Math.max(1, Math.ceil(resetInMs / 1000));
    asHttpResponse(http.getResponse<unknown>()).setHeader('Retry-After', String(retryAfter));
    throw new AuthError('AUTH_RATE_LIMITED', `Too many login requests from this address; retry in ${retryAfter} s.`);
  }

  /** Whom to count: a subclass may count otherwise (e.g. per tenant). */
  protected tracker(req: IncomingMessage): string {
    return this.settings.trustedProxies.clientAddress(req.socket?.remoteAddress, req.headers['x-forwarded-for']);
  }
}
