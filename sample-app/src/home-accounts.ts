import type { LinkedIdentity, ProviderSummary } from '@nestflux/auth';
import { html, type SafeHtml } from './html.js';

/** DI token of the providers the home page offers (`ProviderSummary[]`, as `GET /auth/providers` lists them). */
export const SIGN_IN_PROVIDERS = Symbol('sample:sign-in-providers');

/** The providers shown as "Sign in with …" buttons: provider 1 on the unslugged route. */
export function signInButtons(providers: readonly ProviderSummary[]): SafeHtml {
  return html`<p class="sign-in-buttons">${providers.map((provider, i) => {
    const href = `${i === 0 ? '/auth/login' : `/auth/login/${encodeURIComponent(provider.slug)}`}?returnTo=%2F`;
    return html`<a${i === 0 ? html` id="sign-in"` : ''} class="button sign-in" data-provider="${provider.slug}" href="${href}">Sign in with ${provider.name}</a> `;
  })}</p>`;
}

/**
 * The signed-in user's linked accounts, each with an Unlink button, and a Link button for every
 * provider not linked yet. Forms post to the library's routes; the script adds the session's
 * anti-CSRF token (a header, which a plain form cannot send) and follows the provider's URL.
 */
export function linkedAccountsSection(identities: readonly LinkedIdentity[], providers: readonly ProviderSummary[]): SafeHtml {
  const names = new Map(providers.map((p) => [p.slug, p.name]));
  const linked = new Set(identities.map((identity) => identity.provider));
  const unlinked = providers.filter((p) => !linked.has(p.slug));
  return html`<h2>Linked accounts</h2>
<ul id="identities">
${identities.map(
  (identity) => html`<li class="identity" data-provider="${identity.provider}">
  <strong>${identity.provider ? (names.get(identity.provider) ?? identity.provider) : identity.issuer}</strong>
  ${identity.email ?? identity.subject} · linked ${identity.linkedAt.slice(0, 10)}
  <form class="unlink" method="post" action="/auth/identities/${encodeURIComponent(identity.id)}" data-method="DELETE">
    <button type="submit"${identities.length < 2 ? html` disabled title="Your only account cannot be unlinked"` : ''}>Unlink</button>
  </form>
</li>`,
)}
</ul>
${unlinked.map(
  (
    provider,
  ) => html`<form class="link" method="post" action="/auth/link/${encodeURIComponent(provider.slug)}" data-provider="${provider.slug}">
  <button type="submit">Link ${provider.name}</button>
</form>`,
)}
<p id="identities-result"></p>
<script>
for (const form of document.querySelectorAll('form.link, form.unlink')) {
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const { token } = await (await fetch('/auth/csrf', { credentials: 'same-origin' })).json();
    const method = form.dataset.method || 'POST';
    const res = await fetch(form.action + (method === 'POST' ? '?returnTo=%2F' : ''), { method, credentials: 'same-origin', headers: { 'x-csrf-token': token } });
    if (res.ok && method === 'POST') return void (window.location.href = (await res.json()).redirectUrl);
    if (res.ok) return void window.location.reload();
    const body = await res.json().catch(() => ({}));
    document.getElementById('identities-result').textContent = body.message || ('failed (' + res.status + ')');
  });
}
</script>`;
}
