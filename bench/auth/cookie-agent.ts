/**
 * fetch with a per-host cookie jar and manual redirects: enough of a browser to walk a login.
 * A trimmed copy of test/support/cookie-agent.ts (test/ is not compiled into dist).
 */
export class CookieAgent {
  private readonly jars = new Map<string, Map<string, string>>();

  /** One request; the response's Set-Cookie headers land in the jar. */
  async request(url: string | URL, init: RequestInit = {}): Promise<Response> {
    const target = new URL(url);
    const headers = new Headers(init.headers);
    const cookies = [...(this.jars.get(target.host) ?? [])].map(([name, value]) => `${name}=${value}`).join('; ');
    if (cookies && !headers.has('cookie')) headers.set('cookie', cookies);
    const res = await fetch(target, { ...init, headers, redirect: 'manual' });
    this.store(target, res);
    return res;
  }

  /** Follows redirects until a non-redirect answer or a URL for which `stop` is true (not requested). */
  async follow(url: string | URL, stop: (url: URL) => boolean, limit = 15): Promise<{ res: Response; url: URL }> {
    let current = new URL(url);
    for (let i = 0; i < limit; i++) {
      const res = await this.request(current);
      const location = res.headers.get('location');
      if (res.status < 300 || res.status >= 400 || !location) return { res, url: current };
      await res.arrayBuffer();
      current = new URL(location, current);
      if (stop(current)) return { res, url: current };
    }
    throw new Error(`too many redirects from ${String(url)}`);
  }

  cookie(host: string, name: string): string | undefined {
    return this.jars.get(host)?.get(name);
  }

  private store(url: URL, res: Response): void {
    let jar = this.jars.get(url.host);
    if (!jar) this.jars.set(url.host, (jar = new Map()));
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attributes.some((a) => /^\s*(expires=Thu, 01 Jan 1970|max-age=0\b)/i.test(a));
      if (expired || value === '') jar.delete(name);
      else jar.set(name, value);
    }
  }
}
