const BASE = new URL('http://app.invalid');
/** Control characters and backslashes: browsers strip or turn them into `/`, so `/\t/host` or `/\host` can become `//host`. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const UNSAFE_CHARACTERS = /[\u0000-\u001f\u007f\\]/;
/** Encoded `/`, `\`, `.` and control characters in the path: a proxy or framework that decodes them could make `//host` again. */
const ENCODED_SEPARATORS = /%(2f|5c|2e|[01][0-9a-f]|7f)/i;

/** `/path`, not `//host` (protocol-relative) and not `/\host` (which browsers read as `//host`). */
function isLocalPath(value: string): boolean {
  return value.startsWith('/') && !value.startsWith('//') && !value.startsWith('/\\');
}

/**
 * Where to send the browser after login: only same-origin relative paths (`/path?x#y`), else `/`.
 * What is returned is validated, not just what was received: resolving dot segments turns
 * `/..//evil.example` into `//evil.example` (RFC 9700 §4.11 open redirectors).
 */
export function safeReturnTo(raw: unknown): string {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > 2048) return '/';
  if (UNSAFE_CHARACTERS.test(raw) || !isLocalPath(raw)) return '/';
  let resolved: URL;
  try {
    resolved = new URL(raw, BASE);
  } catch {
    return '/';
  }
  if (resolved.origin !== BASE.origin) return '/';
  const result = `${resolved.pathname}${resolved.search}${resolved.hash}`;
  if (!isLocalPath(result) || UNSAFE_CHARACTERS.test(result) || ENCODED_SEPARATORS.test(resolved.pathname)) return '/';
  return result;
}
