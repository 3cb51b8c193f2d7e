import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Controller, Get } from '@nestjs/common';
import { RequireAcr, RequireMfa } from '@nestflux/auth';
import { type HostApp, startHostAppOn } from '../support/host-app.js';
import { RogueProvider } from '../support/rogue-provider/index.js';

const CLIENT_ID = 'step-up-client';
const CLIENT_SECRET = 'step-up-client-secret-value';

@Controller('api')
class SensitiveController {
  @Get('plain')
  plain() {
    return { ok: true };
  }

  @RequireAcr('gold')
  @Get('gold')
  gold() {
    return { ok: true };
  }

  @RequireMfa({ maxAge: 300 })
  @Get('payments')
  payments() {
    return { ok: true };
  }

  @RequireAcr(['gold', 'platinum'], { maxAge: 60 })
  @RequireMfa()
  @Get('vault')
  vault() {
    return { ok: true };
  }
}

/** RFC 9470 step-up for bearer tokens: the token's acr / amr / auth_time decide. */
describe('@RequireAcr() and @RequireMfa() with bearer tokens', () => {
  let rogue: RogueProvider;
  let host: HostApp;

  beforeAll(async () => {
    rogue = await RogueProvider.start({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
    host = await startHostAppOn(rogue, { controllers: [SensitiveController] });
  });
  afterAll(async () => {
    await host?.close();
    await rogue?.close();
  });

  const now = () => Math.floor(Date.now() / 1000);
  async function call(path: string, claims: Record<string, unknown>): Promise<{ status: number; challenge: string | null; code?: string }> {
    const token = await rogue.signAccessToken({ sub: 'stepper', aud: CLIENT_ID, ...claims });
    const res = await fetch(`${host.baseUrl}/api/${path}`, { headers: { authorization: `Bearer ${token}` } });
    return { status: res.status, challenge: res.headers.get('www-authenticate'), code: ((await res.json()) as { code?: string }).code };
  }
  const ok = { status: 200, challenge: null, code: undefined };

  it('leaves routes without a requirement alone', async () => {
    expect(await call('plain', {})).toEqual(ok);
  });

  it('@RequireAcr: 401 insufficient_user_authentication with acr_values, unless the token has that acr', async () => {
    const refused = await call('gold', { acr: 'silver' });
    expect(refused.status).toBe(401);
    expect(refused.code).toBe('AUTH_STEP_UP_REQUIRED');
    expect(refused.challenge).toMatch(/^Bearer error="insufficient_user_authentication", error_description="[^"]+", acr_values="gold"$/);
    expect((await call('gold', {})).code).toBe('AUTH_STEP_UP_REQUIRED');
    expect(await call('gold', { acr: 'gold' })).toEqual(ok);
  });

  it('@RequireMfa: amr with mfa or two methods, authenticated within max_age', async () => {
    const single = await call('payments', { amr: ['pwd'], auth_time: now() - 10 });
    expect(single.status).toBe(401);
    expect(single.challenge).toMatch(/error="insufficient_user_authentication".*max_age=300$/);
    expect(single.challenge).not.toContain('acr_values');
    expect((await call('payments', { amr: ['pwd', 'otp'], auth_time: now() - 1000 })).code).toBe('AUTH_STEP_UP_REQUIRED');
    expect((await call('payments', { amr: ['pwd', 'otp'] })).code).toBe('AUTH_STEP_UP_REQUIRED'); // no auth_time
    expect(await call('payments', { amr: ['pwd', 'otp'], auth_time: now() - 10 })).toEqual(ok);
    expect(await call('payments', { amr: ['mfa'], auth_time: now() - 10 })).toEqual(ok);
  });

  it('stacks both requirements and the tighter max_age', async () => {
    const weak = await call('vault', { acr: 'gold', amr: ['pwd'], auth_time: now() - 10 });
    expect(weak.challenge).toMatch(/acr_values="gold platinum", max_age=60$/);
    expect((await call('vault', { acr: 'platinum', amr: ['hwk', 'pin'], auth_time: now() - 120 })).code).toBe('AUTH_STEP_UP_REQUIRED');
    expect(await call('vault', { acr: 'platinum', amr: ['hwk', 'pin'], auth_time: now() - 5 })).toEqual(ok);
  });
});
