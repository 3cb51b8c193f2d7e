// `@nestflux/auth/passport`: the passport strategies. A separate entry point, so that hosts
// without @nestjs/passport and passport (optional peers) never load them.
export { AuthPassportModule } from './auth-passport.module.js';
export { NestfluxJwtStrategy } from './nestflux-jwt.strategy.js';
export { NestfluxOidcStrategy } from './nestflux-oidc.strategy.js';
export type { BrowserLoginStep } from './browser-login.strategy.js';
