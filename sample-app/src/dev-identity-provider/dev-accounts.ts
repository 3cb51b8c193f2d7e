import type { Account } from 'oidc-provider';

/** The claims the development provider puts in ID tokens, access tokens and userinfo. */
export interface DevAccountClaims {
  sub: string;
  email: string;
  email_verified: boolean;
  name: string;
  preferred_username: string;
  roles: string[];
}

const LOGIN_PATTERN = /^[A-Za-z0-9._@-]{1,64}$/;

/** Returns the normalised login, or undefined when it is not an acceptable user name. */
export function normaliseLogin(raw: unknown): string | undefined {
  if (typeof raw !== 'string') return undefined;
  const login = raw.trim();
  return LOGIN_PATTERN.test(login) ? login : undefined;
}

/** Any user name is an account: the claims are derived from the name alone (dev only). */
export function devAccountClaims(login: string): DevAccountClaims {
  return {
    sub: login,
    email: login.includes('@') ? login : `${login}@example.test`,
    email_verified: true,
    name: login.charAt(0).toUpperCase() + login.slice(1),
    preferred_username: login,
    roles: login === 'admin' ? ['admin'] : [],
  };
}

/** oidc-provider's `findAccount`; ids that could not have come from our sign-in form are unknown. */
export function findDevAccount(_ctx: unknown, id: string): Account | undefined {
  const login = normaliseLogin(id);
  if (login === undefined || login !== id) return undefined;
  const claims = devAccountClaims(login);
  // oidc-provider filters the returned claims by the granted scopes/claims itself.
  return { accountId: login, claims: () => ({ ...claims }) };
}
