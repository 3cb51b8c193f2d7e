import type { MigrationInterface } from 'typeorm';
import { AuthStepUp1764540000000 } from './migrations/1764540000000-auth-step-up.js';
import { AuthLoginStateEntity } from '../login/login-state.entity.js';
import { AuthSessionEntity } from '../session/auth-session.entity.js';
import { AuthIdentityEntity } from '../users/auth-identity.entity.js';
import { AuthUserEntity } from '../users/auth-user.entity.js';
import { AuthInitialSchema1764000000000 } from './migrations/1764000000000-auth-initial-schema.js';
import { AuthUserSync1764100000000 } from './migrations/1764100000000-auth-user-sync.js';
import { AuthSessionInvalidation1764400000000 } from './migrations/1764400000000-auth-session-invalidation.js';
import { AuthLoginBrowserBinding1764470000000 } from './migrations/1764470000000-auth-login-browser-binding.js';
import { AuthSyncDeactivateLimit1764500000000 } from './migrations/1764500000000-auth-sync-deactivate-limit.js';
import { AuthLogoutLinks1764500000000 } from './migrations/1764500000000-auth-logout-links.js';
import { AuthLogoutTokenJtis1764510000000 } from './migrations/1764510000000-auth-logout-token-jtis.js';
import { AuthSessionMetadata1764520000000 } from './migrations/1764520000000-auth-session-metadata.js';
import { AuthSeveralProviders1764600000000 } from './migrations/1764600000000-auth-several-providers.js';
import { AuthSyncRunEntity } from '../sync/auth-sync-run.entity.js';
import { AuthAuditLogEntity } from '../audit/auth-audit-log.entity.js';
import { AuthAuditLog1764530000000 } from './migrations/1764530000000-auth-audit-log.js';

/** Every TypeORM entity of the library: add them to the host's DataSource (or use `autoLoadEntities`). */
export const authEntities = [
  AuthUserEntity,
  AuthIdentityEntity,
  AuthSessionEntity,
  AuthLoginStateEntity,
  AuthSyncRunEntity,
  AuthAuditLogEntity,
];

/**
 * The library's migrations in order. The module runs them at boot by default
 * (`database.runMigrations`); a host that runs its own migrations can list these instead.
 */
export const authMigrations: Array<new () => MigrationInterface> = [
  AuthInitialSchema1764000000000,
  AuthUserSync1764100000000,
  AuthSessionInvalidation1764400000000,
  AuthLoginBrowserBinding1764470000000,
  AuthSyncDeactivateLimit1764500000000,
  AuthLogoutLinks1764500000000,
  AuthLogoutTokenJtis1764510000000,
  AuthSessionMetadata1764520000000,
  AuthAuditLog1764530000000,
  AuthStepUp1764540000000,
  AuthSeveralProviders1764600000000,
];
