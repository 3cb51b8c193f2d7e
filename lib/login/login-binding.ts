import { createHash, randomBytes } from 'node:crypto';
import type { HttpRequest as Request, HttpResponse as Response } from '../http/http-types.js';
import { readCookie } from '../http/cookies.js';

/** The browser-binding cookie of a login (RFC 9700 §4.7.1: bind the login to the user agent). */
export interface LoginBindingCookie {
  /** `__Host-nestflux.login` when Secure (no Domain, Path=/: a sibling subdomain cannot toss it), else `nestflux.login`. */
  name: string;
  secure: boolean;
  /** Lifetime, the same as the login state's. */
  maxAgeMs: number;
}

const BINDING_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export function loginBindingCookie(secure: boolean, maxAgeMs: number): LoginBindingCookie {
  return { name: secure ? '__Host-nestflux.login' : 'nestflux.login', secure, maxAgeMs };
}

/** The browser's binding value if it has a well-formed one; undefined otherwise. */
export function readLoginBinding(req: Request, cookie: LoginBindingCookie): string | undefined {
  const value = readCookie(req, cookie.name);
  return value !== undefined && BINDING_PATTERN.test(value) ? value : undefined;
}

/**
 * The value to bind a new login to: the browser's current one when it has one (so two logins in
 * two tabs both complete), else 256 fresh random bits. Only its hash is stored.
 */
export function bindingForNewLogin(req: Request, cookie: LoginBindingCookie): string {
  return readLoginBinding(req, cookie) ?? randomBytes(32).toString('base64url');
}

export function hashLoginBinding(value: string): string {
  return createHash('sha256').update(`nestflux-login-binding:${value}`).digest('hex');
}

/**
 * HttpOnly, SameSite=Lax (the callback is a top-level cross-site GET from the provider: Strict
 * would drop the cookie there), host-only, Path=/ (a `__Host-` cookie must have it).
 */
export function writeLoginBinding(res: Response, cookie: LoginBindingCookie, value: string): void {
  res.cookie(cookie.name, value, { httpOnly: true, secure: cookie.secure, sameSite: 'lax', path: '/', maxAge: cookie.maxAgeMs });
}
