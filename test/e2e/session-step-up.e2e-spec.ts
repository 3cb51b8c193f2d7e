import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Controller, Get } from '@nestjs/common';
import { CurrentUser, RequireAcr, RequireMfa, type AuthUser } from '@nestflux/auth';
import { DEV_ACR_MFA, DEV_ACR_PASSWORD } from '../../sample-app/src/dev-identity-provider/index.js';
import type { CookieAgent } from '../support/cookie-agent.js';
import { sessionStores } from '../support/session-stores.js';
import { startSessionTestBed, type SessionTestBed } from '../support/session-test-bed.js';

const RECENT_SECONDS = 4;

@Controller('secure')
class SecureController {
  @RequireAcr(DEV_ACR_MFA)
  @Get('mfa')
  strong(@CurrentUser() user: AuthUser) {
    return { sub: user.sub, authentication: user.authentication };
  }

  @RequireAcr(DEV_ACR_PASSWORD, { maxAge: RECENT_SECONDS })
  @Get('recent')
  recent(@CurrentUser() user: AuthUser) {
    return { authTime: user.authentication?.authTime };
  }

  @RequireMfa()
  @Get('amr')
  amr() {
    return { ok: true };
  }
}

const PAGE = { accept: 'text/html,application/xhtml+xml' };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Browser step-up (RFC 9470) against oidc-provider configured with acrValues: a session that
 * falls short is sent back to the provider with acr_values / max_age and returns to the page.
 */
describe.each(sessionStores)('step-up for browser sessions (sessions in %s)', (store) => {
  let bed: SessionTestBed;
  let base: string;

  beforeAll(async () => {
    bed = await startSessionTestBed({ controllers: [SecureController], store });
    base = bed.apps[0].base;
  });

  afterAll(async () => {
    await bed?.close();
  });

  /** Follows a step-up redirect through the login as the browser would (the dev provider signs `login` in). */
  async function stepUp(agent: CookieAgent, location: string, login: string): Promise<{ authorize: URL; back: string }> {
    const start = await agent.request(new URL(location, base));
    expect(start.status).toBe(302);
    const authorize = new URL(start.headers.get('location')!);
    authorize.searchParams.set('login_hint', login);
    const { url } = await agent.follow(authorize, (u) => u.pathname === '/auth/callback');
    const callback = await agent.request(url);
    expect(callback.status).toBe(302);
    return { authorize, back: callback.headers.get('location')! };
  }

  it('a plain login records its acr and amr: the route names only what is missing', async () => {
    const agent = await bed.signIn('step-plain');
    const res = await agent.request(`${base}/secure/amr`, { headers: { accept: 'application/json' } });
    expect(res.status).toBe(401);
    // The plain login's level, as the provider stated it: the route then names what it lacks.
    expect(await res.json()).toMatchObject({ code: 'AUTH_STEP_UP_REQUIRED', message: expect.stringContaining('multi-factor') });
  });

  it('an API request that falls short gets 401 JSON naming the acr, with the RFC 9470 challenge', async () => {
    const agent = await bed.signIn('step-api');
    const res = await agent.request(`${base}/secure/mfa`, { headers: { accept: 'application/json' } });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain(`acr_values="${DEV_ACR_MFA}"`);
    expect(await res.json()).toMatchObject({ code: 'AUTH_STEP_UP_REQUIRED', acrValues: [DEV_ACR_MFA] });
  });

  it('a page view is sent to the provider with acr_values (essential acr) and comes back to the page, now satisfied', async () => {
    const agent = await bed.signIn('step-page');
    const page = await agent.request(`${base}/secure/mfa?tab=1`, { headers: PAGE });
    expect(page.status).toBe(302);
    const location = page.headers.get('location')!;
    expect(location).toBe(`/auth/login?returnTo=${encodeURIComponent('/secure/mfa?tab=1')}&acr_values=${encodeURIComponent(DEV_ACR_MFA)}`);

    const { authorize, back } = await stepUp(agent, location, 'step-page');
    expect(authorize.searchParams.get('acr_values')).toBe(DEV_ACR_MFA);
    expect(JSON.parse(authorize.searchParams.get('claims')!)).toEqual({ id_token: { acr: { essential: true, values: [DEV_ACR_MFA] } } });
    expect(back).toBe('/secure/mfa?tab=1');

    const res = await agent.request(`${base}${back}`, { headers: PAGE });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      sub: 'step-page',
      authentication: { acr: DEV_ACR_MFA, amr: ['pwd', 'otp'], authTime: expect.any(Number), requestedAcr: [DEV_ACR_MFA] },
    });
    // And the stronger session satisfies @RequireMfa() too (amr pwd + otp).
    expect((await agent.request(`${base}/secure/amr`, { headers: PAGE })).status).toBe(200);
  });

  it('max_age: an authentication too old sends the page view to sign in again (max_age), then it passes', async () => {
    const agent = await bed.signIn('step-recent');
    const fresh = await agent.request(`${base}/secure/recent`, { headers: PAGE });
    expect(fresh.status).toBe(200);
    await sleep((RECENT_SECONDS + 1) * 1000);
    const page = await agent.request(`${base}/secure/recent`, { headers: PAGE });
    expect(page.status).toBe(302);
    const location = page.headers.get('location')!;
    expect(new URL(location, base).searchParams.get('max_age')).toBe(String(RECENT_SECONDS));
    const { authorize, back } = await stepUp(agent, location, 'step-recent');
    expect(authorize.searchParams.get('max_age')).toBe(String(RECENT_SECONDS));
    const res = await agent.request(`${base}${back}`, { headers: PAGE });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { authTime: number }).authTime).toBeGreaterThan(Date.now() / 1000 - RECENT_SECONDS);
  });

  it('@RequireMfa() alone cannot be asked of the provider: a page view gets the 401, not a redirect', async () => {
    const agent = await bed.signIn('step-amr');
    const res = await agent.request(`${base}/secure/amr`, { headers: PAGE });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ code: 'AUTH_STEP_UP_REQUIRED' });
  });

  it('the login route refuses malformed step-up parameters with 400', async () => {
    for (const query of ['acr_values=%22quoted%22', 'max_age=-1', 'max_age=soon', 'acr_values=']) {
      const res = await fetch(`${base}/auth/login?returnTo=/&${query}`);
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ code: 'AUTH_LOGIN_PARAMETER_INVALID' });
    }
  });
});
