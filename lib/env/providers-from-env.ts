import type { AuthProviderOptions } from '../options/auth-module-options.js';
import { AuthEnvError } from './auth-env.error.js';
import { booleanVar, listVar, optional, required, urlVar, type AuthEnv } from './env-values.js';

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
/** The single-provider variables, which the numbered ones replace. */
export const SINGLE_PROVIDER_VARIABLES = [
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
 * The providers of the numbered variables `OIDC_PROVIDER_<n>_*` (numbered from 1 without gaps,
 * provider 1 the default), or undefined when there are none. A gap, a repeated slug, an unknown
 * key or numbered and single-provider variables together throw `AuthEnvError` naming the variable.
 */
export function numberedProvidersFromEnv(env: AuthEnv): AuthProviderOptions[] | undefined {
  const names = Object.keys(env).filter((name) => NUMBERED.test(name) && env[name] !== undefined);
  if (names.length === 0) return undefined;
  const single = SINGLE_PROVIDER_VARIABLES.find((name) => env[name] !== undefined);
  if (single) {
    throw new AuthEnvError(
      single,
      `${single} and ${names[0]} are both set: describe the providers either with the single-provider variables (OIDC_ISSUER_URL, …) or with the numbered ones (OIDC_PROVIDER_1_ISSUER, …), not both.`,
    );
  }
  const numbers = new Set<number>();
  for (const name of names) {
    const [, number, key] = NUMBERED.exec(name)!;
    if (!NUMBERED_KEYS.includes(key))
      throw new AuthEnvError(
        name,
        `${name} is not a provider variable: use OIDC_PROVIDER_${number}_ followed by one of ${NUMBERED_KEYS.join(', ')}.`,
      );
    if (!/^[1-9]\d{0,2}$/.test(number)) throw new AuthEnvError(name, `${name}: providers are numbered 1, 2, 3, … (no leading zeros).`);
    numbers.add(Number(number));
  }
  const highest = Math.max(...numbers);
  const providers: AuthProviderOptions[] = [];
  const slugs = new Map<string, number>();
  for (let n = 1; n <= highest; n++) {
    if (!numbers.has(n)) {
      throw new AuthEnvError(
        `OIDC_PROVIDER_${n}_ISSUER`,
        `Provider ${highest} is configured but provider ${n} is not (OIDC_PROVIDER_${n}_ISSUER is unset): number providers from 1 without gaps.`,
      );
    }
    const provider = numberedProvider(env, n);
    const earlier = slugs.get(provider.slug);
    if (earlier !== undefined) {
      throw new AuthEnvError(
        `OIDC_PROVIDER_${n}_SLUG`,
        `OIDC_PROVIDER_${n}_SLUG repeats "${provider.slug}" (OIDC_PROVIDER_${earlier}_SLUG): every provider needs its own slug.`,
      );
    }
    slugs.set(provider.slug, n);
    providers.push(provider);
  }
  return providers;
}

function numberedProvider(env: AuthEnv, n: number): AuthProviderOptions & { slug: string } {
  const variable = (key: string) => `OIDC_PROVIDER_${n}_${key}`;
  const slug = required(env, variable('SLUG'), 'a URL-safe name such as "authentik" (it appears in /auth/login/<slug>)');
  if (!SLUG.test(slug))
    throw new AuthEnvError(variable('SLUG'), `${variable('SLUG')} is "${slug}": use lower-case letters, digits, "-" and "_".`);
  const clientId = required(env, variable('CLIENT_ID'), 'the client id registered at the provider');
  return {
    slug,
    name: optional(env, variable('NAME')) ?? slug,
    issuerUrl: urlVar(env, variable('ISSUER'), required(env, variable('ISSUER'), "the provider's issuer URL")),
    clientId,
    clientSecret: required(env, variable('CLIENT_SECRET'), 'the client secret registered at the provider'),
    scope: optional(env, variable('SCOPE')) ?? 'openid profile email',
    audience: optional(env, variable('AUDIENCE')) ?? clientId,
    rolesClaim: optional(env, variable('ROLES_CLAIM')) ?? 'roles',
    autoProvision: booleanVar(env, variable('AUTO_PROVISION'), true),
    adminEmailDomains: listVar(env, variable('ADMIN_EMAIL_DOMAINS')),
  };
}
