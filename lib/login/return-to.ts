/**
 * Where to send the browser after login: only same-origin relative paths (`/path?x#y`).
 * Absolute URLs, protocol-relative `//host`, backslash tricks and control characters give `/`.
 */
export function safeReturnTo(raw: unknown): string {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > 2048) return '/';
  if (!raw.startsWith('/') || raw.startsWith('//') || raw.startsWith('/\\')) return '/';
  if (/[\u0000-\u001f\u007f\\]/.test(raw)) return '/';
  try {
    const base = new URL('http://app.invalid');
    const resolved = new URL(raw, base);
    if (resolved.origin !== base.origin) return '/';
    return `${resolved.pathname}${resolved.search}${resolved.hash}`;
  } catch {
    return '/';
  }
}
