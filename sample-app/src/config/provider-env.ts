import { AuthEnvError, numberedProvidersFromEnv, type AuthProviderOptions } from '@nestflux/auth';
import { SampleConfigError } from './sample-config-error.js';

/** An identity provider as the sample app's environment describes it. */
export interface SampleProvider {
  slug: string;
  name: string;
  issuerUrl: string;
  clientId: string;
  clientSecret: string;
  scope: string;
  audience: string;
  rolesClaim: string;
  autoProvision: boolean;
  adminEmailDomains: string[];
  /** For the embedded development provider: where the app mounts it (`/oidc`, `/oidc2`). */
  devMountPath?: string;
}

/** The development provider's clients (one per embedded provider). */
export const DEV_CLIENT_ID = 'nestflux-sample';
export const DEV_CLIENT_SECRET = 'nestflux-sample-development-secret';
/** Where the first embedded provider is mounted inside the sample app; the second at `/oidc2`. */
export const DEV_PROVIDER_PATH = '/oidc';

type Env = Record<string, string | undefined>;

/**
 * The providers the environment describes, in order (the first is the default):
 * - numbered `OIDC_PROVIDER_<n>_*` variables, numbered from 1 without gaps;
 * - else the single-provider variables (`OIDC_ISSUER_URL`, …);
 * - else the embedded development provider, twice with `DEV_PROVIDERS=2` (slugs `dev`, `dev2`).
 * Every problem is a SampleConfigError naming the variable.
 */
export function readProviders(env: Env, baseUrl: string, embedded: boolean): { numbered: boolean; providers: SampleProvider[] } {
  const devProviders = readDevProviders(env, embedded);
  // The numbered variables mean what the library's authOptionsFromEnv reads them as: one parser.
  const numbered = asSampleConfigError(() => numberedProvidersFromEnv(env));
  if (!numbered) {
    if (embedded) return { numbered: devProviders === 2, providers: developmentProviders(baseUrl, devProviders) };
    return { numbered: false, providers: [singleProvider(env)] };
  }
  return { numbered: true, providers: numbered.map(toSampleProvider) };
}

function toSampleProvider(provider: AuthProviderOptions): SampleProvider {
  const clientId = provider.clientId ?? '';
  return {
    slug: provider.slug,
    name: provider.name ?? provider.slug,
    issuerUrl: provider.issuerUrl,
    clientId,
    clientSecret: provider.clientSecret ?? '',
    scope: provider.scope ?? 'openid profile email',
    audience: provider.audience ?? clientId,
    rolesClaim: provider.rolesClaim ?? 'roles',
    autoProvision: provider.autoProvision ?? true,
    adminEmailDomains: provider.adminEmailDomains ?? [],
  };
}

/** The library's `AuthEnvError` as the sample app's own (printed alone by `npm start`). */
export function asSampleConfigError<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof AuthEnvError) throw new SampleConfigError(error.variable, error.message);
    throw error;
  }
}

function singleProvider(env: Env): SampleProvider {
  const issuerUrl = env.OIDC_ISSUER_URL!;
  const clientId = env.OIDC_CLIENT_ID || DEV_CLIENT_ID;
  return {
    slug: 'default',
    name: hostOf(issuerUrl),
    issuerUrl,
    clientId,
    clientSecret: env.OIDC_CLIENT_SECRET || '',
    scope: env.OIDC_SCOPE || 'openid profile email',
    audience: env.OIDC_AUDIENCE || clientId,
    rolesClaim: env.OIDC_ROLES_CLAIM || 'roles',
    autoProvision: parseBoolean(env.OIDC_AUTO_PROVISION, true, 'OIDC_AUTO_PROVISION'),
    adminEmailDomains: parseList(env.OIDC_ADMIN_EMAIL_DOMAINS),
  };
}

/** The embedded development provider, once (slug `dev`) or twice (`dev`, `dev2`, two issuers). */
function developmentProviders(baseUrl: string, count: number): SampleProvider[] {
  return Array.from({ length: count }, (_, index) => {
    const suffix = index === 0 ? '' : String(index + 1);
    const clientId = `${DEV_CLIENT_ID}${suffix ? `-${suffix}` : ''}`;
    return {
      slug: `dev${suffix}`,
      name: `Development provider${suffix ? ` ${suffix}` : ''}`,
      issuerUrl: `${baseUrl}${DEV_PROVIDER_PATH}${suffix}`,
      clientId,
      clientSecret: DEV_CLIENT_SECRET,
      scope: 'openid profile email',
      audience: clientId,
      rolesClaim: 'roles',
      autoProvision: true,
      adminEmailDomains: [],
      devMountPath: `${DEV_PROVIDER_PATH}${suffix}`,
    };
  });
}

/** `DEV_PROVIDERS`: how many embedded development providers run (1 or 2); only without a real provider. */
function readDevProviders(env: Env, embedded: boolean): number {
  const value = env.DEV_PROVIDERS;
  if (value === undefined || value === '') return 1;
  if (value !== '1' && value !== '2') throw new SampleConfigError('DEV_PROVIDERS', `DEV_PROVIDERS must be 1 or 2, got "${value}".`);
  if (!embedded && value === '2') {
    throw new SampleConfigError(
      'DEV_PROVIDERS',
      'DEV_PROVIDERS=2 runs the embedded development provider twice, which only runs without OIDC_ISSUER_URL or OIDC_PROVIDER_<n>_* variables: unset it.',
    );
  }
  return Number(value);
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

function parseList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}

function parseBoolean(value: string | undefined, fallback: boolean, name: string): boolean {
  if (value === undefined || value === '') return fallback;
  if (/^(true|1|yes)$/i.test(value)) return true;
  if (/^(false|0|no)$/i.test(value)) return false;
  throw new SampleConfigError(name, `${name} must be true or false, got "${value}".`);
}
