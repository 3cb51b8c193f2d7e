import { Controller, Get, Header, Inject, Req } from '@nestjs/common';
import type { Request } from 'express';
import { AuthIdentitiesService, Public, RequestAuthenticator, type AuthUser, type ProviderSummary } from '@nestflux/auth';
import { linkedAccountsSection, SIGN_IN_PROVIDERS, signInButtons } from './home-accounts.js';
import { sessionsSection } from './home-sessions.js';

/** A tiny home page: "Sign in" when anonymous, who you are once signed in. */
@Public()
@Controller()
export class HomeController {
  constructor(
    private readonly authenticator: RequestAuthenticator,
    private readonly identities: AuthIdentitiesService,
    @Inject(SIGN_IN_PROVIDERS) private readonly providers: ProviderSummary[],
  ) {}

  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  async home(@Req() req: Request): Promise<string> {
    const user = await this.authenticator.authenticate(req).catch(() => undefined);
    if (!user) return page(signedOut(this.providers));
    const accounts = linkedAccountsSection(await this.identities.list(user.id), this.providers);
    return page(signedIn(user) + accounts.value + sessionsSection());
  }
}

function signedOut(providers: ProviderSummary[]): string {
  return `<p>You are not signed in.</p>
${signInButtons(providers).value}`;
}

function signedIn(user: AuthUser): string {
  const avatar = user.avatarUrl ? `<img src="${escape(user.avatarUrl)}" alt="" width="48" height="48">` : '';
  return `<p>${avatar} Signed in as <strong id="user-name">${escape(user.displayName ?? user.sub)}</strong>
${user.email ? ` (<span id="user-email">${escape(user.email)}</span>)` : ''}</p>
<p>Roles: <span id="user-roles">${escape(user.roles.join(', ') || 'none')}</span></p>
<p><a href="/api/profile">/api/profile</a> · <a href="/api/admin">/api/admin</a></p>
<button id="sign-out" type="button">Sign out</button>
<button id="sign-out-others" type="button">Sign out my other sessions</button> <span id="others-result"></span>
<script>
// Cookie-authenticated changes carry the session's anti-CSRF token (logout keeps its Origin check).
document.getElementById('sign-out-others').addEventListener('click', async () => {
  const { token } = await (await fetch('/auth/csrf', { credentials: 'same-origin' })).json();
  const res = await fetch('/auth/sessions', { method: 'DELETE', credentials: 'same-origin', headers: { 'x-csrf-token': token } });
  document.getElementById('others-result').textContent = res.status === 204 ? 'done' : 'failed (' + res.status + ')';
});
document.getElementById('sign-out').addEventListener('click', async () => {
  const res = await fetch('/auth/logout', { method: 'POST', credentials: 'same-origin' });
  const body = await res.json();
  window.location.href = body.logoutUrl || '/';
});
</script>`;
}

function page(body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>NestFlux Auth sample</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto}.button{padding:.5rem 1rem;background:#0b5;color:#fff;border-radius:.3rem;text-decoration:none}</style>
</head><body><h1>NestFlux Auth sample</h1>${body}</body></html>`;
}

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
