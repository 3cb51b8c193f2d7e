import { Inject, Module, RequestMethod, type MiddlewareConsumer, type NestModule, type OnApplicationBootstrap } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import { getDataSourceToken, TypeOrmModule } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { ConfigurableAuthModule, AUTH_MODULE_OPTIONS } from './auth.module-definition.js';
import {
  AUTH_ROUTE_PREFIX,
  LOGIN_SETTINGS,
  ENFORCE_SETTINGS,
  DEVICE_FLOW_SETTINGS,
  INTROSPECTION_SETTINGS,
  TOKEN_RELAY_SETTINGS,
  FRONTCHANNEL_LOGOUT_SETTINGS,
  RATE_LIMIT_SETTINGS,
  RESOLVED_AUTH_OPTIONS,
  SESSION_SETTINGS,
  TOKEN_SETTINGS,
} from './auth.tokens.js';
import { AuthRateLimitGuard } from './rate-limit/auth-rate-limit.guard.js';
import { AuditLogService } from './audit/audit-log.service.js';
import { AuditRetentionScheduler } from './audit/audit-retention.scheduler.js';
import { AUDIT_SETTINGS } from './audit/audit.tokens.js';
import { authEntities } from './database/auth-schema.js';
import { AuthSchemaMigrator } from './database/auth-schema.migrator.js';
import { AuthExceptionFilter } from './errors/auth-exception.filter.js';
import { AuthGuard } from './guards/auth.guard.js';
import { RequestAuthenticator } from './guards/request-authenticator.service.js';
import { AuthHealthIndicator } from './health/auth-health.indicator.js';
import { LoginFlowService } from './login/login-flow.service.js';
import { LoginStateStore } from './login/login-state.store.js';
import type { AuthModuleOptions } from './options/auth-module-options.js';
import { resolveAuthOptions } from './options/resolve-auth-options.js';
import type { ResolvedAuthOptions, TokenRelaySettings } from './options/resolved-auth-options.js';
import { TokenRelayMiddleware } from './relay/token-relay.middleware.js';
import { ProviderRegistry } from './provider/provider-registry.service.js';
import { AuthIdentitiesService } from './users/auth-identities.service.js';
import { OidcProviderClient } from './provider/oidc-provider-client.service.js';
import { AuthSessionService } from './session/auth-session.service.js';
import { ExpiredSessionsPurger } from './session/expired-sessions.purger.js';
import { SessionActivity } from './session/session-activity.js';
import { SessionCacheService } from './session/session-cache.service.js';
import { SessionRevocationService } from './session/session-revocation.service.js';
import { sessionStoreProvider } from './session/store/session-store.provider.js';
import { SessionTokensService } from './session/session-tokens.service.js';
import { SessionRefreshService } from './session/session-refresh.service.js';
import { LogoutLinkStore } from './session/logout-link.store.js';
import { BackchannelLogoutService } from './session/backchannel-logout.service.js';
import { userSyncProviders } from './sync/user-sync.providers.js';
import { UserSyncService } from './sync/user-sync.service.js';
import { DeviceFlowService } from './device/device-flow.service.js';
import { TokenIntrospectionService } from './tokens/token-introspection.service.js';
import { FrontchannelLogoutService } from './session/frontchannel-logout.service.js';

import { BearerUserCache } from './users/bearer-user.cache.js';
import { LoginProfileMapper } from './users/login-profile.mapper.js';
import { UserAccountsService } from './users/user-accounts.service.js';

/**
 * Complete OpenID Connect authentication for a NestJS app: browser login (BFF), bearer tokens,
 * decorators, the user table and the provider sync. Needs a TypeORM (PostgreSQL) connection.
 */
@Module({
  imports: [TypeOrmModule.forFeature(authEntities), ScheduleModule.forRoot()],
  providers: [
    {
      // Validation happens here, once, for forRoot and forRootAsync alike: a bad option fails boot.
      provide: RESOLVED_AUTH_OPTIONS,
      inject: [AUTH_MODULE_OPTIONS, AUTH_ROUTE_PREFIX],
      useFactory: (options: AuthModuleOptions, routePrefix: string) => resolveAuthOptions(options, routePrefix),
    },
    { provide: TOKEN_SETTINGS, inject: [RESOLVED_AUTH_OPTIONS], useFactory: (o: ResolvedAuthOptions) => o.tokens },
    { provide: SESSION_SETTINGS, inject: [RESOLVED_AUTH_OPTIONS], useFactory: (o: ResolvedAuthOptions) => o.session },
    { provide: LOGIN_SETTINGS, inject: [RESOLVED_AUTH_OPTIONS], useFactory: (o: ResolvedAuthOptions) => o.login },
    { provide: RATE_LIMIT_SETTINGS, inject: [RESOLVED_AUTH_OPTIONS], useFactory: (o: ResolvedAuthOptions) => o.rateLimit },
    AuthRateLimitGuard,
    { provide: AUDIT_SETTINGS, inject: [RESOLVED_AUTH_OPTIONS], useFactory: (o: ResolvedAuthOptions) => o.audit },
    AuditLogService,
    AuditRetentionScheduler,
    { provide: ENFORCE_SETTINGS, inject: [RESOLVED_AUTH_OPTIONS], useFactory: (o: ResolvedAuthOptions) => o.enforce ?? null },
    { provide: DEVICE_FLOW_SETTINGS, inject: [RESOLVED_AUTH_OPTIONS], useFactory: (o: ResolvedAuthOptions) => o.deviceFlow ?? null },
    { provide: INTROSPECTION_SETTINGS, inject: [RESOLVED_AUTH_OPTIONS], useFactory: (o: ResolvedAuthOptions) => o.introspection ?? null },
    { provide: TOKEN_RELAY_SETTINGS, inject: [RESOLVED_AUTH_OPTIONS], useFactory: (o: ResolvedAuthOptions) => o.tokenRelay ?? null },
    {
      provide: FRONTCHANNEL_LOGOUT_SETTINGS,
      inject: [RESOLVED_AUTH_OPTIONS],
      useFactory: (o: ResolvedAuthOptions) => o.frontchannelLogout ?? null,
    },
    { provide: APP_FILTER, useClass: AuthExceptionFilter },
    {
      provide: AuthSchemaMigrator,
      inject: [getDataSourceToken(), RESOLVED_AUTH_OPTIONS],
      useFactory: (dataSource: DataSource, o: ResolvedAuthOptions) => new AuthSchemaMigrator(dataSource, o.runMigrations),
    },
    ProviderRegistry,
    AuthIdentitiesService,
    // The default provider's client, for what serves provider 1 only (device flow, introspection).
    { provide: OidcProviderClient, inject: [ProviderRegistry], useFactory: (registry: ProviderRegistry) => registry.default.client },
    LoginStateStore,
    LoginFlowService,
    LoginProfileMapper,
    UserAccountsService,
    BearerUserCache,
    sessionStoreProvider,
    SessionCacheService,
    SessionActivity,
    SessionRevocationService,
    AuthSessionService,
    ExpiredSessionsPurger,
    SessionTokensService,
    SessionRefreshService,
    LogoutLinkStore,
    BackchannelLogoutService,
    RequestAuthenticator,
    AuthGuard,
    DeviceFlowService,
    TokenIntrospectionService,
    FrontchannelLogoutService,
    AuthHealthIndicator,
    ...userSyncProviders,
  ],
  exports: [
    AuthGuard,
    AuthRateLimitGuard,
    RequestAuthenticator,
    AuthSessionService,
    SessionTokensService,
    UserAccountsService,
    AuthIdentitiesService,
    UserSyncService,
    AuditLogService,
    AuthHealthIndicator,
    // For the optional entry points (`@nestflux/auth/passport`), which live outside this module.
    LoginFlowService,
    LOGIN_SETTINGS,
    SESSION_SETTINGS,
  ],
})
export class AuthModule extends ConfigurableAuthModule implements OnApplicationBootstrap, NestModule {
  constructor(
    private readonly providers: ProviderRegistry,
    @Inject(TOKEN_RELAY_SETTINGS) private readonly tokenRelay: TokenRelaySettings | null,
  ) {
    super();
  }

  /** The token relay is middleware: it forwards whatever is below its path, routes or not. */
  configure(consumer: MiddlewareConsumer): void {
    if (this.tokenRelay)
      consumer.apply(TokenRelayMiddleware).forRoutes({ path: `${this.tokenRelay.path.slice(1)}{/*rest}`, method: RequestMethod.ALL });
  }

  /** Discovery starts in the background; a provider that is down does not stop the boot. */
  onApplicationBootstrap(): void {
    this.providers.warmUp();
  }
}
