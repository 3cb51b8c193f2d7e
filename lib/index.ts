// The public surface of @nestflux/auth. Internals (DI tokens, services' helpers) stay private.
export { AuthModule } from './auth.module.js';
export { AUTH_MODULE_OPTIONS } from './auth.module-definition.js';
export type { AuthModuleOptions, AuthModuleExtras, AuthCookieOptions, AuthSessionOptions, AuthDatabaseOptions, ClientAuthMethod } from './options/auth-module-options.js';
export { AuthGuard } from './guards/auth.guard.js';
export { RequestAuthenticator } from './guards/request-authenticator.service.js';
export { Public } from './decorators/public.decorator.js';
export { Roles, AllRoles } from './decorators/roles.decorator.js';
export { Scopes } from './decorators/scopes.decorator.js';
export { CurrentUser } from './decorators/current-user.decorator.js';
export { IS_PUBLIC_KEY, ANY_ROLES_KEY, ALL_ROLES_KEY, SCOPES_KEY } from './decorators/auth-metadata.js';
export type { AuthUser } from './users/auth-user.js';
export type { ClaimsMapper, UserProfile } from './users/claims-mapper.interface.js';
export { gravatarUrl } from './users/claims-to-profile.js';
export { AuthUserEntity } from './users/auth-user.entity.js';
export { AuthIdentityEntity } from './users/auth-identity.entity.js';
export { AuthSessionEntity } from './session/auth-session.entity.js';
export { AuthLoginStateEntity } from './login/login-state.entity.js';
export { AuthSessionService } from './session/auth-session.service.js';
export { UserAccountsService } from './users/user-accounts.service.js';
export { authEntities, authMigrations } from './database/auth-schema.js';
export { runAuthMigrations } from './database/auth-migration-runner.js';
export { AuthError, AuthConfigError, UnauthenticatedError, ForbiddenError, LoginError, DependencyUnavailableError, AUTH_ERROR_STATUS } from './errors/auth-error.js';
export type { AuthErrorCode } from './errors/auth-error.js';
export type { MeResponse } from './http/auth.controller.js';
export type { UserSyncOptions, DirectorySourceKind } from './sync/user-sync.options.js';
// TEMP
