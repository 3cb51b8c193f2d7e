import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { authOptionsFromEnv, type AuthModuleOptions, type UserSyncOptions } from '@nestflux/auth';
import { useDevIdentityProvider } from './dev-provider-policy.js';
import { assertPrivateFile, ensurePrivateDir } from './private-files.js';
import {
  asSampleConfigError,
  DEV_CLIENT_ID,
  DEV_CLIENT_SECRET,
  DEV_PROVIDER_PATH,
  readProviders,
  type SampleProvider,
} from './provider-env.js';

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
  const issuerUrl = numbered ? first.issuerUrl : env.OIDC_ISSUER_URL || `${baseUrl}${DEV_PROVIDER_PATH}`;
  const cliClientId = env.OIDC_CLI_CLIENT_ID || (embeddedProvider ? DEV_CLI_CLIENT_ID : undefined);
  // The library reads the contract's variables; the sample app fills in its development defaults
  // and, with numbered providers, provider 1 (the providers list itself comes from readProviders).
  const auth = authOptionsOrSampleError({
    // Providers come from readProviders (which adds the development ones): provider 1 goes in as the single one.
    ...Object.fromEntries(Object.entries(env).filter(([name]) => !name.startsWith('OIDC_PROVIDER_'))),
    BASE_URL: baseUrl,
    OIDC_ISSUER_URL: issuerUrl,
    OIDC_CLIENT_ID: clientId,
    OIDC_CLIENT_SECRET: numbered ? first.clientSecret : env.OIDC_CLIENT_SECRET || (embeddedProvider ? DEV_CLIENT_SECRET : undefined),
    OIDC_SCOPE: numbered ? first.scope : env.OIDC_SCOPE,
    OIDC_AUDIENCE: numbered ? first.audience : env.OIDC_AUDIENCE,
    OIDC_ROLES_CLAIM: numbered ? first.rolesClaim : env.OIDC_ROLES_CLAIM,
    OIDC_CLI_CLIENT_ID: cliClientId,
    AUTH_SESSION_SECRET: env.AUTH_SESSION_SECRET || (await persistentSecret(dataDir)),
  });
  const store = auth.session.store?.type === 'redis' ? auth.session.store : undefined;
  return {
    port,
    baseUrl,
    embeddedProvider,
    providers,
    severalProviders: numbered,
    issuerUrl,
    clientId,
    clientSecret: auth.clientSecret ?? '',
    scope: auth.scope!,
    audience: auth.audience!,
    cliClientId,
    rolesClaim: auth.rolesClaim!,
    jwksCooldownSeconds: auth.jwksCooldownSeconds!,
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir,
    sessionIdleSeconds: auth.session.idleTimeoutSeconds!,
    sessionMaxSeconds: auth.session.absoluteTimeoutSeconds!,
    redis: store?.url ? { url: store.url, keyPrefix: store.keyPrefix! } : undefined,
    sessionSecret: auth.session.secret,
    rateLimit: auth.rateLimit as SampleConfig['rateLimit'],
    sync: auth.sync!,
    enforce: auth.enforce as SampleConfig['enforce'],
  };
}

function authOptionsOrSampleError(env: Env): AuthModuleOptions {
  return asSampleConfigError(() => authOptionsFromEnv(env));
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
