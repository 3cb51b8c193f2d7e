import type { HttpRequest as Request } from './http-types.js';

/**
 * CSRF defence for state-changing cookie requests: the `Origin` header (or, lacking it, the
 * `Referer`) must be the app's own origin. Requests with neither (non-browser clients) pass:
 * browsers always send one of them on cross-site POSTs.
 */
export function isCrossSite(req: Request, appOrigin: string): boolean {
  const origin = req.headers.origin;
  if (typeof origin === 'string' && origin !== '') return origin !== appOrigin;
  const referer = req.headers.referer;
  if (typeof referer === 'string' && referer !== '') {
    try {
      return new URL(referer).origin !== appOrigin;
    } catch {
      return true;
    }
  }
  return false;
}
