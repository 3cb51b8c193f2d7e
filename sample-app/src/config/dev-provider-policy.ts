import { SampleConfigError } from './sample-config-error.js';
import type { Env } from './sample-config.js';

const LOOPBACK_HOSTS = new Set(['localhost', '[::1]']);
/** Variables that look like a mistyped OIDC_ISSUER_URL (the numbered providers' _ISSUER aside). */
const ISSUER_LOOKALIKE = /^OIDC_?.*ISSUER/i;
const NUMBERED_ISSUER = /^OIDC_PROVIDER_\d+_ISSUER$/;

function isLoopback(baseUrl: string): boolean {
  const host = new URL(baseUrl).hostname;
  return LOOPBACK_HOSTS.has(host) || host.endsWith('.localhost') || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * Whether the embedded development identity provider serves the logins. It lets anyone sign in
 * as anyone (`admin` is an admin), so it must never start by accident: only when
 * `OIDC_ISSUER_URL` is absent (not empty, not misspelled), `NODE_ENV` is not `production`, and
 * the app is reachable on loopback only unless `DEV_IDENTITY_PROVIDER=1` says otherwise.
 * Anything else that would start it is a configuration error naming the variable.
 */
export function useDevIdentityProvider(env: Env, baseUrl: string): boolean {
  const optIn = env.DEV_IDENTITY_PROVIDER;
  if (optIn !== undefined && optIn !== '' && optIn !== '1' && optIn !== '0') {
    throw new SampleConfigError('DEV_IDENTITY_PROVIDER', `DEV_IDENTITY_PROVIDER must be 1 or 0, got "${optIn}".`);
  }
  const issuer = env.OIDC_ISSUER_URL;
  if (issuer !== undefined) {
    if (issuer.trim() === '') {
      throw new SampleConfigError(
        'OIDC_ISSUER_URL',
        "OIDC_ISSUER_URL is set but empty. Set it to your identity provider's issuer URL, or unset it (outside production) to use the development identity provider.",
      );
    }
    return false;
  }
  if (Object.keys(env).some((name) => NUMBERED_ISSUER.test(name))) return false;
  const lookalike = Object.keys(env).find(
    (name) => name !== 'OIDC_ISSUER_URL' && ISSUER_LOOKALIKE.test(name) && !NUMBERED_ISSUER.test(name),
  );
  if (lookalike) {
    throw new SampleConfigError(
      'OIDC_ISSUER_URL',
      `${lookalike} is set but OIDC_ISSUER_URL is not: did you mean OIDC_ISSUER_URL? Without it the development identity provider would start, where anyone signs in as anyone.`,
    );
  }
  if (env.NODE_ENV === 'production') {
    throw new SampleConfigError(
      'OIDC_ISSUER_URL',
      "OIDC_ISSUER_URL is not set and NODE_ENV is production: the development identity provider (anyone signs in as anyone) never runs in production. Set OIDC_ISSUER_URL to your identity provider's issuer URL.",
    );
  }
  if (!isLoopback(baseUrl) && optIn !== '1') {
    throw new SampleConfigError(
      'DEV_IDENTITY_PROVIDER',
      `OIDC_ISSUER_URL is not set and BASE_URL (${baseUrl}) is not a loopback address: the development identity provider would let anyone who reaches it sign in as anyone. Set OIDC_ISSUER_URL, or DEV_IDENTITY_PROVIDER=1 to run the development provider there anyway.`,
    );
  }
  return true;
}
