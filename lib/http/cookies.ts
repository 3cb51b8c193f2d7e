import type { HttpRequest as Request, HttpResponse as Response } from './http-types.js';
import type { CookieSettings } from '../options/resolved-auth-options.js';

/** Longest Cookie header we look into; browsers cap a cookie at 4 KB, headers at a few more. */
const MAX_COOKIE_HEADER = 16_384;

/**
 * One cookie's value from the raw header; undefined when absent, malformed or present more than
 * once. A name sent twice means someone else set a cookie of that name for this host (cookie
 * tossing from a sibling subdomain or a plain-http page): taking "the first one" would let the
 * attacker choose the session, so neither counts.
 */
export function readCookie(req: Request, name: string): string | undefined {
  const header = req.headers.cookie;
  if (typeof header !== 'string' || header.length > MAX_COOKIE_HEADER) return undefined;
  let found: string | undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    if (found !== undefined) return undefined;
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1);
    found = value;
  }
  return found;
}

/**
 * The session cookie's default name: `__Host-nestflux.sid` when the cookie is `Secure`, host-only
 * and on `/` (browsers then refuse it from a sibling subdomain or a plain-http page, so it cannot
 * be tossed), else `nestflux.sid`.
 */
export function defaultSessionCookieName(cookie: { secure: boolean; domain: string | undefined; path: string }): string {
  return cookie.secure && cookie.domain === undefined && cookie.path === '/' ? '__Host-nestflux.sid' : 'nestflux.sid';
}

/**
 * Why a cookie name's prefix contradicts its attributes (browsers would drop the cookie), or
 * undefined when it is fine: `__Host-` needs Secure, no Domain and Path=/; `__Secure-` needs Secure.
 */
export function cookiePrefixProblem(cookie: {
  name: string;
  secure: boolean;
  domain: string | undefined;
  path: string;
}): string | undefined {
  const lower = cookie.name.toLowerCase();
  if (lower.startsWith('__host-') && (!cookie.secure || cookie.domain !== undefined || cookie.path !== '/')) {
    return 'needs secure: true (an https baseUrl), no domain and path "/"';
  }
  if (lower.startsWith('__secure-') && !cookie.secure) return 'needs secure: true (an https baseUrl)';
  return undefined;
}

export function writeSessionCookie(res: Response, cookie: CookieSettings, value: string, maxAgeMs: number): void {
  res.cookie(cookie.name, value, {
    httpOnly: true,
    secure: cookie.secure,
    sameSite: cookie.sameSite,
    path: cookie.path,
    domain: cookie.domain,
    maxAge: maxAgeMs,
  });
}

export function clearSessionCookie(res: Response, cookie: CookieSettings): void {
  res.clearCookie(cookie.name, {
    httpOnly: true,
    secure: cookie.secure,
    sameSite: cookie.sameSite,
    path: cookie.path,
    domain: cookie.domain,
  });
}
