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

const NUMBERED = /^OIDC_PROVIDER_(\d+)_(.+)$/;
const NUMBERED_KEYS = [
  'NAME',
  'SLUG',
  'ISSUER',
  'CLIENT_ID',
  'CLIENT_SECRET',
  'SCOPE',
  'AUDIENCE',
  'ROLES_CLAIM',
  'AUTO_PROVISION',
  'ADMIN_EMAIL_DOMAINS',
];
const SINGLE_KEYS = [
  'OIDC_ISSUER_URL',
  'OIDC_CLIENT_ID',
  'OIDC_CLIENT_SECRET',
  'OIDC_SCOPE',
  'OIDC_AUDIENCE',
  'OIDC_ROLES_CLAIM',
  'OIDC_AUTO_PROVISION',
  'OIDC_ADMIN_EMAIL_DOMAINS',
];
const SLUG = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/**
 * The providers the environment describes, in order (the first is the default):
 * - numbered `OIDC_PROVIDER_<n>_*` variables, numbered from 1 without gaps;
 * - else the single-provider variables (`OIDC_ISSUER_URL`, …);
 * - else the embedded development provider, twice with `DEV_PROVIDERS=2` (slugs `dev`, `dev2`).
 * Every problem is a SampleConfigError naming the variable.
 */
export function readProviders(env: Env, baseUrl: string, embedded: boolean): { numbered: boolean; providers: SampleProvider[] } {
  const devProviders = readDevProviders(env, embedded);
  const numberedNames = Object.keys(env).filter((name) => NUMBERED.test(name) && env[name] !== undefined);
  if (numberedNames.length === 0) {
    if (embedded) return { numbered: devProviders === 2, providers: developmentProviders(baseUrl, devProviders) };
    return { numbered: false, providers: [singleProvider(env)] };
  }
  const single = SINGLE_KEYS.find((name) => env[name] !== undefined);
  if (single) {
    throw new SampleConfigError(
      single,
      `${single} and ${numberedNames[0]} are both set: describe the providers either with the single-provider variables (OIDC_ISSUER_URL, …) or with the numbered ones (OIDC_PROVIDER_1_ISSUER, …), not both.`,
    );
  }
  const numbers = new Set<number>();
  for (const name of numberedNames) {
    const [, number, key] = NUMBERED.exec(name)!;
    if (!NUMBERED_KEYS.includes(key)) {
      throw new SampleConfigError(
        name,
        `${name} is not a provider variable: use OIDC_PROVIDER_${number}_ followed by one of ${NUMBERED_KEYS.join(', ')}.`,
      );
    }
    if (!/^[1-9]\d{0,2}$/.test(number)) throw new SampleConfigError(name, `${name}: providers are numbered 1, 2, 3, … (no leading zeros).`);
    numbers.add(Number(number));
  }
  const highest = Math.max(...numbers);
  for (let n = 1; n <= highest; n++) {
    if (!numbers.has(n)) {
      throw new SampleConfigError(
        `OIDC_PROVIDER_${n}_ISSUER`,
        `Provider ${highest} is configured but provider ${n} is not (OIDC_PROVIDER_${n}_ISSUER is unset): number providers from 1 without gaps.`,
      );
    }
  }
  const providers: SampleProvider[] = [];
  const slugs = new Map<string, number>();
  for (let n = 1; n <= highest; n++) {
    const provider = numberedProvider(env, n);
    const earlier = slugs.get(provider.slug);
    if (earlier !== undefined) {
      throw new SampleConfigError(
        `OIDC_PROVIDER_${n}_SLUG`,
        `OIDC_PROVIDER_${n}_SLUG repeats "${provider.slug}" (OIDC_PROVIDER_${earlier}_SLUG): every provider needs its own slug.`,
      );
    }
    slugs.set(provider.slug, n);
    providers.push(provider);
  }
  return { numbered: true, providers };
}

function numberedProvider(env: Env, n: number): SampleProvider {
  const variable = (key: string) => `OIDC_PROVIDER_${n}_${key}`;
  const required = (key: string, what: string): string => {
    const value = env[variable(key)];
    if (value === undefined || value.trim() === '')
      throw new SampleConfigError(variable(key), `${variable(key)} is missing: set it to ${what}.`);
    return value.trim();
  };
  const slug = required('SLUG', 'a URL-safe name such as "authentik" (it appears in /auth/login/<slug>)');
  if (!SLUG.test(slug))
    throw new SampleConfigError(variable('SLUG'), `${variable('SLUG')} is "${slug}": use lower-case letters, digits, "-" and "_".`);
  const clientId = required('CLIENT_ID', 'the client id registered at the provider');
  return {
    slug,
    name: env[variable('NAME')]?.trim() || slug,
    issuerUrl: required('ISSUER', "the provider's issuer URL"),
    clientId,
    clientSecret: required('CLIENT_SECRET', 'the client secret registered at the provider'),
    scope: env[variable('SCOPE')] || 'openid profile email',
    audience: env[variable('AUDIENCE')] || clientId,
    rolesClaim: env[variable('ROLES_CLAIM')] || 'roles',
    autoProvision: parseBoolean(env[variable('AUTO_PROVISION')], true, variable('AUTO_PROVISION')),
    adminEmailDomains: parseList(env[variable('ADMIN_EMAIL_DOMAINS')]),
  };
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
