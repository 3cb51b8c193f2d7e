import type { Request, Response } from 'express';
import type { CookieSettings } from '../options/resolved-auth-options.js';

/** Longest Cookie header we look into; browsers cap a cookie at 4 KB, headers at a few more. */
const MAX_COOKIE_HEADER = 16_384;

/** One cookie's value from the raw header; undefined when absent or malformed. No parsing of the rest. */
export function readCookie(req: Request, name: string): string | undefined {
  const header = req.headers.cookie;
  if (typeof header !== 'string' || header.length > MAX_COOKIE_HEADER) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1);
    return value;
  }
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
  res.clearCookie(cookie.name, { httpOnly: true, secure: cookie.secure, sameSite: cookie.sameSite, path: cookie.path, domain: cookie.domain });
}
