// The public surface of @nestflux/auth. Internals (DI tokens, services' helpers) stay private.
export { AuthModule } from './auth.module.js';
export { AUTH_MODULE_OPTIONS } from './auth.module-definition.js';
export type {
  AuthModuleOptions,
  AuthEnforceOptions,
  AuthModuleExtras,
  AuthCookieOptions,
  AuthSessionOptions,
  AuthSessionCacheOptions,
  AuthDatabaseOptions,
  AuthDeviceFlowOptions,
  AuthIntrospectionOptions,
  AuthTokenRelayOptions,
  AuthFrontchannelLogoutOptions,
  AuthRateLimitOptions,
  ClientAuthMethod,
  AuthProviderOptions,
  AuthProvisioningOptions,
  FetchUserInfoMode,
} from './options/auth-module-options.js';
export type { ProviderSummary } from './provider/provider-registry.service.js';
export { AuthGuard } from './guards/auth.guard.js';
export { AuthRateLimitGuard } from './rate-limit/auth-rate-limit.guard.js';
export { InMemoryRateLimitStorage } from './rate-limit/rate-limit.storage.js';
export type { RateLimitStorage, RateLimitHit } from './rate-limit/rate-limit.storage.js';
export { RequestAuthenticator } from './guards/request-authenticator.service.js';
export { keepUpgradeRequests } from './guards/upgrade-requests.js';
export type { ClientConnectBinder } from './guards/upgrade-requests.js';
export { Public } from './decorators/public.decorator.js';
export { Roles, AllRoles } from './decorators/roles.decorator.js';
export { Scopes } from './decorators/scopes.decorator.js';
export { RequireAcr, RequireMfa } from './decorators/step-up.decorator.js';
export type { StepUpRequirement, StepUpOptions } from './decorators/step-up.decorator.js';
export { CurrentUser } from './decorators/current-user.decorator.js';
export { IS_PUBLIC_KEY, ANY_ROLES_KEY, ALL_ROLES_KEY, SCOPES_KEY } from './decorators/auth-metadata.js';
export type { AuthUser, AuthenticationEvent } from './users/auth-user.js';
export type { ClaimsMapper, UserProfile, AfterLoginHook, LoginEvent } from './users/claims-mapper.interface.js';
export { gravatarUrl } from './users/claims-to-profile.js';
export { AuthUserEntity } from './users/auth-user.entity.js';
export { AuthIdentityEntity } from './users/auth-identity.entity.js';
export { AuthSessionEntity } from './session/auth-session.entity.js';
export { AuthLoginStateEntity } from './login/login-state.entity.js';
export { AuthSessionService } from './session/auth-session.service.js';
export { SessionTokensService } from './session/session-tokens.service.js';
export { UserAccountsService } from './users/user-accounts.service.js';
export type { InviteOptions } from './users/user-accounts.service.js';
export { AuthIdentitiesService } from './users/auth-identities.service.js';
export type { LinkedIdentity } from './users/auth-identities.service.js';
export { authEntities, authMigrations } from './database/auth-schema.js';
export { runAuthMigrations } from './database/auth-migration-runner.js';
export {
  AuthError,
  AuthConfigError,
  UnauthenticatedError,
  ForbiddenError,
  LoginError,
  DependencyUnavailableError,
  DatabaseError,
  StepUpRequiredError,
  LoginRedirectError,
  FeatureUnavailableError,
  AUTH_ERROR_STATUS,
} from './errors/auth-error.js';
export type { AuthErrorCode } from './errors/auth-error.js';
export type { MeResponse } from './http/auth.controller.js';
export type { DeviceFlowConfig } from './device/device-flow.service.js';
export type { UserSyncOptions, DirectorySourceKind } from './sync/user-sync.options.js';
export { UserSyncService } from './sync/user-sync.service.js';
export { UserSyncModule } from './sync/user-sync.module.js';
export type { UserSyncModuleOptions } from './sync/user-sync.module.js';
export { DIRECTORY_SOURCE } from './sync/directory-source.interface.js';
export type { DirectorySource, DirectoryUser, DirectoryPage, DirectoryListOptions } from './sync/directory-source.interface.js';
export type { SyncRunSummary, DeactivationHold } from './sync/sync-run-summary.js';
export type { SyncProgress, RunOnceOptions } from './sync/user-sync.service.js';
export { formatSyncSummary } from './sync/sync-run-summary.js';
export { UserSyncError } from './sync/user-sync.errors.js';
export type { UserSyncErrorCode } from './sync/user-sync.errors.js';
export { AuthSyncRunEntity } from './sync/auth-sync-run.entity.js';
export { AuditLogService } from './audit/audit-log.service.js';
export { AuthAuditLogEntity } from './audit/auth-audit-log.entity.js';
export type { AuditEntry, AuditEventName, AuditOutcome, AuditQuery, AuditRecord, AuditLogStats } from './audit/audit-event.js';
export type { AuthAuditOptions } from './audit/audit.options.js';
export { addAuthSecurity } from './openapi/add-auth-security.js';
export type { AuthOpenApiOptions } from './openapi/add-auth-security.js';
export type { OpenApiDocumentLike, OpenApiOperationLike } from './openapi/openapi-document.js';
export { AuthHealthIndicator } from './health/auth-health.indicator.js';
export type { AuthHealthResult } from './health/auth-health.indicator.js';
export { authOptionsFromEnv } from './env/auth-options-from-env.js';
export { numberedProvidersFromEnv } from './env/providers-from-env.js';
export { AuthEnvError } from './env/auth-env.error.js';
export type { AuthEnv } from './env/env-values.js';
