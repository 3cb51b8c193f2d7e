import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { HttpRequest } from '../http/http-types.js';
import { RequestAuthenticator } from '../guards/request-authenticator.service.js';
import type { AuthUser } from '../users/auth-user.js';
import { BearerHeaderStrategy } from './bearer-header.strategy.js';

/**
 * The bearer check as the passport strategy `nestflux-jwt`: the same verification as the
 * module's `AuthGuard` (its `RequestAuthenticator`: JWKS cache, pinned algorithms, `aud`, the
 * user record and its roles), so there is one verification path. `request.user` is the `AuthUser`.
 */
@Injectable()
export class NestfluxJwtStrategy extends PassportStrategy(BearerHeaderStrategy, 'nestflux-jwt') {
  constructor(private readonly authenticator: RequestAuthenticator) {
    super();
  }

  /** Only called with an `Authorization: Bearer` header, so the session cookie is never read. */
  validate(req: HttpRequest): Promise<AuthUser> {
    return this.authenticator.authenticate(req);
  }
}
