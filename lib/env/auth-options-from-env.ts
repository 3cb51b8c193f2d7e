import type { AuthModuleOptions } from '../options/auth-module-options.js';
import type { UserSyncOptions } from '../sync/user-sync.options.js';
import { AuthEnvError } from './auth-env.error.js';
import { numberedProvidersFromEnv } from './providers-from-env.js';
import { booleanVar, integerVar, listVar, optional, required, urlVar, type AuthEnv } from './env-values.js';

const SYNC_SOURCES = ['none', 'authentik', 'keycloak', 'scim'] as const;

/**
 * `AuthModule` options from the environment, with the variables and defaults of the sample app's
 * contract (README "Configuration from the environment"), so a host does not copy its parsing:
 * `AuthModule.forRoot(authOptionsFromEnv(process.env))`. Every problem throws `AuthEnvError`
 * naming the variable and the fix. Required: `OIDC_ISSUER_URL`, `OIDC_CLIENT_ID`,
 * `AUTH_SESSION_SECRET` (and `OIDC_CLIENT_SECRET` for a confidential client's logins). Spread the result to add what the environment
 * does not carry (`claimsMapper`, `afterLogin`, …). Option checks beyond the variables' own
 * syntax (e.g. a cron expression) happen at boot, as for any options.
 */
export function authOptionsFromEnv(env: AuthEnv = process.env): AuthModuleOptions {
  const providers = numberedProvidersFromEnv(env);
  const options: AuthModuleOptions = {
    ...(providers ? { providers } : singleProviderOf(env)),
    baseUrl: baseUrlOf(env),
    jwksCooldownSeconds: integerVar(env, 'OIDC_JWKS_COOLDOWN_SECONDS', 30, 1, 60, 'seconds'),
    session: sessionOf(env),
    rateLimit: { ...rateLimitOf(env), trustedProxies: listVar(env, 'AUTH_TRUSTED_PROXIES') },
    sync: syncOf(env, providers?.[0].rolesClaim),
  };
  if (booleanVar(env, 'AUTH_ENFORCE', false))
    options.enforce = { exclude: listVar(env, 'AUTH_ENFORCE_EXCLUDE', ['/health', '/api/public']) };
  const cliClientId = optional(env, 'OIDC_CLI_CLIENT_ID');
  if (cliClientId) options.deviceFlow = { clientId: cliClientId };
  return options;
}

/** The single-provider variables (`OIDC_ISSUER_URL`, …). */
function singleProviderOf(env: AuthEnv): Partial<AuthModuleOptions> {
  const clientId = required(env, 'OIDC_CLIENT_ID', 'the client id registered at your identity provider');
  const single: Partial<AuthModuleOptions> = {
    issuerUrl: issuerOf(env),
    clientId,
    // Optional here: a sync-only process needs none, and `private_key_jwt` none at all; the
    // module names `clientSecret` at boot when its token requests need one.
    clientSecret: optional(env, 'OIDC_CLIENT_SECRET'),
    scope: optional(env, 'OIDC_SCOPE') ?? 'openid profile email',
    audience: optional(env, 'OIDC_AUDIENCE') ?? clientId,
    rolesClaim: optional(env, 'OIDC_ROLES_CLAIM') ?? 'roles',
  };
  if (env.OIDC_AUTO_PROVISION !== undefined) single.autoProvision = booleanVar(env, 'OIDC_AUTO_PROVISION', true);
  if (env.OIDC_ADMIN_EMAIL_DOMAINS !== undefined) single.adminEmailDomains = listVar(env, 'OIDC_ADMIN_EMAIL_DOMAINS');
  return single;
}

function issuerOf(env: AuthEnv): string {
  const issuer = required(
    env,
    'OIDC_ISSUER_URL',
    "your identity provider's issuer URL (discovery at <issuer>/.well-known/openid-configuration)",
  );
  return urlVar(env, 'OIDC_ISSUER_URL', issuer);
}

/** `BASE_URL`, else `http://localhost:$PORT` (PORT default 3000), without a trailing slash. */
function baseUrlOf(env: AuthEnv): string {
  const base = optional(env, 'BASE_URL');
  if (base) return urlVar(env, 'BASE_URL', base).replace(/\/+$/, '');
  return `http://localhost:${integerVar(env, 'PORT', 3000, 0, 65535)}`;
}

function sessionOf(env: AuthEnv): AuthModuleOptions['session'] {
  const secret = required(env, 'AUTH_SESSION_SECRET', 'a random string of at least 32 characters (e.g. openssl rand -base64 48)');
  if (secret.length < 32)
    throw new AuthEnvError(
      'AUTH_SESSION_SECRET',
      `AUTH_SESSION_SECRET has ${secret.length} characters: use at least 32 (e.g. openssl rand -base64 48).`,
    );
  const idleTimeoutSeconds = integerVar(env, 'AUTH_SESSION_IDLE_SECONDS', 1800, 60, 30 * 86400, 'seconds');
  const absoluteTimeoutSeconds = integerVar(env, 'AUTH_SESSION_MAX_SECONDS', 28800, 60, 365 * 86400, 'seconds');
  if (idleTimeoutSeconds > absoluteTimeoutSeconds) {
    throw new AuthEnvError(
      'AUTH_SESSION_IDLE_SECONDS',
      `AUTH_SESSION_IDLE_SECONDS (${idleTimeoutSeconds}) must not exceed AUTH_SESSION_MAX_SECONDS (${absoluteTimeoutSeconds}).`,
    );
  }
  const redisUrl = optional(env, 'REDIS_URL');
  return {
    secret,
    idleTimeoutSeconds,
    absoluteTimeoutSeconds,
    ...(redisUrl
      ? { store: { type: 'redis' as const, url: redisUrl, keyPrefix: optional(env, 'REDIS_KEY_PREFIX') ?? 'nestflux:auth:' } }
      : {}),
  };
}

/** `AUTH_RATE_LIMIT`: `20/60s` or `100/1m`, requests per client IP and route within the window. */
function rateLimitOf(env: AuthEnv): { limit: number; windowSeconds: number } {
  const value = env.AUTH_RATE_LIMIT;
  if (value === undefined || value === '') return { limit: 20, windowSeconds: 60 };
  const match = /^([1-9]\d{0,5})\/([1-9]\d{0,4})(s|m)$/.exec(value);
  if (!match)
    throw new AuthEnvError(
      'AUTH_RATE_LIMIT',
      `AUTH_RATE_LIMIT must look like 20/60s (requests/seconds, or /1m for a minute), got "${value}".`,
    );
  return { limit: Number(match[1]), windowSeconds: Number(match[2]) * (match[3] === 'm' ? 60 : 1) };
}

function syncOf(env: AuthEnv, providerRolesClaim: string | undefined): UserSyncOptions {
  const source = optional(env, 'AUTH_SYNC_SOURCE') ?? 'none';
  if (!(SYNC_SOURCES as readonly string[]).includes(source)) {
    throw new AuthEnvError('AUTH_SYNC_SOURCE', `AUTH_SYNC_SOURCE must be one of ${SYNC_SOURCES.join(', ')}, got "${source}".`);
  }
  return {
    cron: optional(env, 'AUTH_SYNC_CRON') ?? '0 3 * * *',
    timeZone: optional(env, 'AUTH_SYNC_TZ') ?? 'UTC',
    source: source as UserSyncOptions['source'],
    url: optional(env, 'AUTH_SYNC_URL'),
    token: optional(env, 'AUTH_SYNC_TOKEN'),
    clientId: optional(env, 'AUTH_SYNC_CLIENT_ID'),
    clientSecret: optional(env, 'AUTH_SYNC_CLIENT_SECRET'),
    subjectField: optional(env, 'AUTH_SYNC_SUBJECT_FIELD'),
    importUsers: booleanVar(env, 'AUTH_SYNC_IMPORT', false),
    deactivateMissing: booleanVar(env, 'AUTH_SYNC_DEACTIVATE', true),
    deactivateLimit: optional(env, 'AUTH_SYNC_DEACTIVATE_LIMIT'),
    syncRoles: booleanVar(env, 'AUTH_SYNC_ROLES', false),
    rolesClaim: providerRolesClaim ?? optional(env, 'OIDC_ROLES_CLAIM') ?? 'roles',
  };
}
