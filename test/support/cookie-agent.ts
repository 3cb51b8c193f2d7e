/**
 * A minimal browser stand-in for e2e tests: fetch with a per-host cookie jar and manual
 * redirects, so each hop of a login can be inspected.
 */
export class CookieAgent {
  private readonly jars = new Map<string, Map<string, string>>();

  /** One request; the response's Set-Cookie headers land in the jar. */
  async request(url: string | URL, init: RequestInit = {}): Promise<Response> {
    const target = new URL(url);
    const headers = new Headers(init.headers);
    const cookies = this.cookieHeader(target);
    if (cookies && !headers.has('cookie')) headers.set('cookie', cookies);
    const res = await fetch(target, { ...init, headers, redirect: 'manual' });
    this.store(target, res);
    return res;
  }

  /** Follows redirects until a non-redirect answer or a URL for which `stop` is true. */
  async follow(
    url: string | URL,
    stop: (url: URL) => boolean = () => false,
    limit = 15,
  ): Promise<{ res: Response; url: URL; hops: URL[] }> {
    let current = new URL(url);
    const hops: URL[] = [current];
    for (let i = 0; i < limit; i++) {
      const res = await this.request(current);
      const location = res.headers.get('location');
      if (res.status < 300 || res.status >= 400 || !location) return { res, url: current, hops };
      await res.arrayBuffer();
      current = new URL(location, current);
      hops.push(current);
      if (stop(current)) return { res, url: current, hops };
    }
    throw new Error(`too many redirects from ${String(url)}`);
  }

  cookie(host: string, name: string): string | undefined {
    return this.jars.get(host)?.get(name);
  }

  setCookie(host: string, name: string, value: string): void {
    this.jar(host).set(name, value);
  }

  clear(host?: string): void {
    if (host) this.jars.delete(host);
    else this.jars.clear();
  }

  private cookieHeader(url: URL): string {
    return [...(this.jars.get(url.host) ?? [])].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  private store(url: URL, res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attributes.some((a) => /^\s*expires=Thu, 01 Jan 1970/i.test(a)) || attributes.some((a) => /^\s*max-age=0\b/i.test(a));
      if (expired || value === '') this.jar(url.host).delete(name);
      else this.jar(url.host).set(name, value);
    }
  }

  private jar(host: string): Map<string, string> {
    let jar = this.jars.get(host);
    if (!jar) this.jars.set(host, (jar = new Map<string, string>()));
    return jar;
  }
}
