import type { CookieAgent } from './cookie-agent.js';

/**
 * Plays a browser's RP-initiated logout at the development provider: follows `logoutUrl` to the
 * provider's confirmation form and submits it (what the page's script does), which makes the
 * provider end its session and send back-channel logout tokens to registered clients.
 */
export async function completeProviderLogout(
  agent: CookieAgent,
  logoutUrl: string,
): Promise<{ hops: URL[]; confirm: Response; confirmUrl: URL }> {
  const { res, url, hops } = await agent.follow(logoutUrl);
  const html = await res.text();
  if (res.status !== 200) throw new Error(`logout page answered ${res.status} at ${url.href}: ${html.slice(0, 300)}`);
  const form = /<form[^>]*id="op.logoutForm"[^>]*>([\s\S]*?)<\/form>/.exec(html);
  const action = /action="([^"]+)"/.exec(form?.[0] ?? '');
  if (!form || !action) throw new Error(`no logout form at ${url.href}`);
  const fields = new URLSearchParams();
  for (const input of form[1].matchAll(/<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"/g)) fields.set(input[1], input[2]);
  fields.set('logout', 'yes');
  const confirmUrl = new URL(action[1].replace(/&amp;/g, '&'), url);
  const confirm = await agent.request(confirmUrl, {
    method: 'POST',
    body: fields,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  return { hops, confirm, confirmUrl };
}
