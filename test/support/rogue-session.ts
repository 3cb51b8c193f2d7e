import { CookieAgent } from './cookie-agent.js';

/**
 * A browser login at a host app against the rogue provider (which signs `login_hint` in at once):
 * returns the agent holding the session cookie.
 */
export async function rogueSignIn(baseUrl: string, login: string): Promise<CookieAgent> {
  const agent = new CookieAgent();
  const start = await agent.request(`${baseUrl}/auth/login`);
  if (start.status !== 302) throw new Error(`login answered ${start.status}`);
  const authorize = new URL(start.headers.get('location')!);
  authorize.searchParams.set('login_hint', login);
  const { url } = await agent.follow(authorize, (u) => u.pathname === '/auth/callback');
  const callback = await agent.request(url);
  if (callback.status !== 302) throw new Error(`callback answered ${callback.status}: ${await callback.text()}`);
  return agent;
}

/** The session cookie header of an agent at `baseUrl` (for clients that are not the agent, e.g. a WebSocket). */
export function cookieHeader(agent: CookieAgent, baseUrl: string, name = 'nestflux.sid'): string {
  const value = agent.cookie(new URL(baseUrl).host, name);
  if (!value) throw new Error(`no ${name} cookie for ${baseUrl}`);
  return `${name}=${value}`;
}
