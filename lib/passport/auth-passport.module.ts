import { Module } from '@nestjs/common';
import { NestfluxJwtStrategy } from './nestflux-jwt.strategy.js';
import { NestfluxOidcStrategy } from './nestflux-oidc.strategy.js';

/**
 * Registers the passport strategies `nestflux-oidc` (browser login) and `nestflux-jwt` (bearer
 * token) with passport, for `@UseGuards(AuthGuard('nestflux-jwt'))` from `@nestjs/passport` or a
 * list with the host's own strategies. Import it next to `AuthModule.forRoot(...)` (which must be
 * global, its default). The module's own `AuthGuard` does not need it.
 */
@Module({
  providers: [NestfluxJwtStrategy, NestfluxOidcStrategy],
  exports: [NestfluxJwtStrategy, NestfluxOidcStrategy],
})
export class AuthPassportModule {}
