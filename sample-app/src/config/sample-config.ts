import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { UserSyncOptions } from '@nestflux/auth';
import { useDevIdentityProvider } from './dev-provider-policy.js';
import { assertPrivateFile, ensurePrivateDir } from './private-files.js';
import { SampleConfigError } from './sample-config-error.js';
import { DEV_CLIENT_ID, DEV_CLIENT_SECRET, DEV_PROVIDER_PATH, readProviders, type SampleProvider } from './provider-env.js';

export { DEV_CLIENT_ID, DEV_CLIENT_SECRET, DEV_PROVIDER_PATH };
/** The development provider's public client for the device grant (`npm run cli -- login`). */
export const DEV_CLI_CLIENT_ID = 'nestflux-sample-cli';

/** Everything the sample app reads from its environment (see ../shared/contract.md). */
export interface SampleConfig {
  port: number;
  baseUrl: string;
  /** True when the embedded development identity provider serves the logins. */
  embeddedProvider: boolean;
  /**
   * Every provider, the default first: from the numbered `OIDC_PROVIDER_<n>_*` variables, the
   * single-provider ones, or the embedded development provider (twice with `DEV_PROVIDERS=2`).
   */
  providers: SampleProvider[];
  /** True when `providers` is a list (numbered variables or `DEV_PROVIDERS=2`): per-slug callbacks. */
  severalProviders: boolean;
  /** Provider 1's issuer, client and claims (the single-provider variables, or provider 1's). */
  issuerUrl: string;
  clientId: string;
  clientSecret: string;
  scope: string;
  audience: string;
  /** OIDC_CLI_CLIENT_ID: the public client of the device grant; unset: no device grant (the dev provider's by default). */
  cliClientId: string | undefined;
  rolesClaim: string;
  /** Seconds between JWKS refetches on an unknown `kid` (OIDC_JWKS_COOLDOWN_SECONDS, default 30). */
  jwksCooldownSeconds: number;
  /** Undefined: embedded PGlite under `dataDir`. */
  databaseUrl: string | undefined;
  dataDir: string;
  sessionSecret: string;
  /** AUTH_SESSION_IDLE_SECONDS (default 1800): a session ends after this long unused. */
  sessionIdleSeconds: number;
  /** AUTH_SESSION_MAX_SECONDS (default 28800): a session ends this long after login. */
  sessionMaxSeconds: number;
  /** REDIS_URL: sessions in Redis (under REDIS_KEY_PREFIX, default `nestflux:auth:`); undefined: in PostgreSQL. */
  redis: { url: string; keyPrefix: string } | undefined;
  sync: UserSyncOptions;
  /** AUTH_RATE_LIMIT (`20/60s`) and AUTH_TRUSTED_PROXIES (comma-separated). */
  rateLimit: { limit: number; windowSeconds: number; trustedProxies: string[] };
  /** AUTH_ENFORCE (default false) and AUTH_ENFORCE_EXCLUDE (default `/health,/api/public`). */
  enforce: { exclude: string[] } | undefined;
}

export type Env = Record<string, string | undefined>;

/** Reads the contract's variables, applying its defaults. */
export async function loadSampleConfig(env: Env): Promise<SampleConfig> {
  const port = Number(env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number, got "${env.PORT}"`);
  const baseUrl = (env.BASE_URL || `http://localhost:${port}`).replace(/\/+$/, '');
  const embeddedProvider = useDevIdentityProvider(env, baseUrl);
  const { numbered, providers } = readProviders(env, baseUrl, embeddedProvider);
  const first = providers[0];
  const clientId = numbered ? first.clientId : env.OIDC_CLIENT_ID || DEV_CLIENT_ID;
  const dataDir = env.DATA_DIR || '.data';
  const rolesClaim = numbered ? first.rolesClaim : env.OIDC_ROLES_CLAIM || 'roles';
  return {
    port,
    baseUrl,
    embeddedProvider,
    providers,
    severalProviders: numbered,
    issuerUrl: numbered ? first.issuerUrl : env.OIDC_ISSUER_URL || `${baseUrl}${DEV_PROVIDER_PATH}`,
    clientId,
    clientSecret: numbered ? first.clientSecret : env.OIDC_CLIENT_SECRET || (embeddedProvider ? DEV_CLIENT_SECRET : ''),
    scope: numbered ? first.scope : env.OIDC_SCOPE || 'openid profile email',
    audience: numbered ? first.audience : env.OIDC_AUDIENCE || clientId,
    cliClientId: env.OIDC_CLI_CLIENT_ID || (embeddedProvider ? DEV_CLI_CLIENT_ID : undefined),
    rolesClaim,
    jwksCooldownSeconds: Number(env.OIDC_JWKS_COOLDOWN_SECONDS || 30),
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir,
    ...sessionLifetimes(env),
    redis: env.REDIS_URL ? { url: env.REDIS_URL, keyPrefix: env.REDIS_KEY_PREFIX || 'nestflux:auth:' } : undefined,
    sessionSecret: env.AUTH_SESSION_SECRET || (await persistentSecret(dataDir)),
    rateLimit: { ...parseRateLimit(env.AUTH_RATE_LIMIT), trustedProxies: (env.AUTH_TRUSTED_PROXIES ?? '').split(',').map((p) => p.trim()).filter(Boolean) },
    sync: {
      cron: env.AUTH_SYNC_CRON || '0 3 * * *',
      timeZone: env.AUTH_SYNC_TZ || 'UTC',
      source: (env.AUTH_SYNC_SOURCE || 'none') as UserSyncOptions['source'],
      url: env.AUTH_SYNC_URL || undefined,
      token: env.AUTH_SYNC_TOKEN || undefined,
      clientId: env.AUTH_SYNC_CLIENT_ID || undefined,
      clientSecret: env.AUTH_SYNC_CLIENT_SECRET || undefined,
      subjectField: env.AUTH_SYNC_SUBJECT_FIELD || undefined,
      importUsers: parseBoolean(env.AUTH_SYNC_IMPORT, false, 'AUTH_SYNC_IMPORT'),
      deactivateMissing: parseBoolean(env.AUTH_SYNC_DEACTIVATE, true, 'AUTH_SYNC_DEACTIVATE'),
      deactivateLimit: env.AUTH_SYNC_DEACTIVATE_LIMIT || undefined,
      syncRoles: parseBoolean(env.AUTH_SYNC_ROLES, false, 'AUTH_SYNC_ROLES'),
      rolesClaim,
    },
    enforce: parseBoolean(env.AUTH_ENFORCE, false, 'AUTH_ENFORCE')
      ? { exclude: (env.AUTH_ENFORCE_EXCLUDE ?? '/health,/api/public').split(',').map((path) => path.trim()).filter(Boolean) }
      : undefined,
  };
}

/** AUTH_SESSION_IDLE_SECONDS / AUTH_SESSION_MAX_SECONDS, in the library's ranges, named when wrong. */
function sessionLifetimes(env: Env): { sessionIdleSeconds: number; sessionMaxSeconds: number } {
  const sessionIdleSeconds = parseSeconds(env.AUTH_SESSION_IDLE_SECONDS, 1800, 60, 30 * 86400, 'AUTH_SESSION_IDLE_SECONDS');
  const sessionMaxSeconds = parseSeconds(env.AUTH_SESSION_MAX_SECONDS, 28800, 60, 365 * 86400, 'AUTH_SESSION_MAX_SECONDS');
  if (sessionIdleSeconds > sessionMaxSeconds) {
    throw new SampleConfigError('AUTH_SESSION_IDLE_SECONDS', `AUTH_SESSION_IDLE_SECONDS (${sessionIdleSeconds}) must not exceed AUTH_SESSION_MAX_SECONDS (${sessionMaxSeconds}).`);
  }
  return { sessionIdleSeconds, sessionMaxSeconds };
}

function parseSeconds(value: string | undefined, fallback: number, min: number, max: number, name: string): number {
  if (value === undefined || value === '') return fallback;
  const seconds = Number(value);
  if (!/^\d+$/.test(value.trim()) || seconds < min || seconds > max) {
    throw new SampleConfigError(name, `${name} must be a whole number of seconds from ${min} to ${max}, got "${value}".`);
  }
  return seconds;
}

/** `20/60s` or `100/1m`: requests per client IP to the login routes, and the window. */
function parseRateLimit(value: string | undefined): { limit: number; windowSeconds: number } {
  if (value === undefined || value === '') return { limit: 20, windowSeconds: 60 };
  const match = /^([1-9]\d{0,5})\/([1-9]\d{0,4})(s|m)$/.exec(value);
  if (!match) throw new SampleConfigError('AUTH_RATE_LIMIT', `AUTH_RATE_LIMIT must look like 20/60s (requests/seconds, or /1m for a minute), got "${value}"`);
  return { limit: Number(match[1]), windowSeconds: Number(match[2]) * (match[3] === 'm' ? 60 : 1) };
}

function parseBoolean(value: string | undefined, fallback: boolean, name: string): boolean {
  if (value === undefined || value === '') return fallback;
  if (/^(true|1|yes)$/i.test(value)) return true;
  if (/^(false|0|no)$/i.test(value)) return false;
  throw new Error(`${name} must be true or false, got "${value}"`);
}

/**
 * With no AUTH_SESSION_SECRET, a random secret kept under the data directory, so sessions
 * survive restarts of a development instance. Production sets AUTH_SESSION_SECRET.
 */
async function persistentSecret(dataDir: string): Promise<string> {
  await ensurePrivateDir(dataDir);
  const file = join(dataDir, 'session-secret');
  let existing: string | undefined;
  try {
    existing = (await readFile(file, 'utf8')).trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (existing !== undefined) {
    await assertPrivateFile(file, 'AUTH_SESSION_SECRET');
    if (existing.length >= 32) return existing;
  }
  const secret = randomBytes(48).toString('base64url');
  await writeFile(file, secret, { mode: 0o600 });
  return secret;
}
