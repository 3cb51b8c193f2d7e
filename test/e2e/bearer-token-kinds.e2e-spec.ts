import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Controller, Get } from '@nestjs/common';
import { CurrentUser, type AuthModuleOptions } from '@nestflux/auth';
import { type HostApp, startHostAppOn } from '../support/host-app.js';
import { RogueProvider } from '../support/rogue-provider/index.js';

const CLIENT_ID = 'kinds-client';
const CLIENT_SECRET = 'kinds-client-secret-value';
const BACKCHANNEL_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

@Controller('api')
class ProfileController {
  @Get('profile')
  profile(@CurrentUser('sub') sub: string) {
    return { sub };
  }
}

/**
 * Validly signed JWTs with the right `aud` that are not access tokens for this API: a logout
 * token, an ID token, a token issued to another client. Each is presented as a bearer token.
 */
describe('bearer tokens that are something else', () => {
  let rogue: RogueProvider;
  let lenient: HostApp;
  let strict: HostApp;

  beforeAll(async () => {
    rogue = await RogueProvider.start({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
    const boot = (auth: Partial<AuthModuleOptions>) => startHostAppOn(rogue, { controllers: [ProfileController], auth });
    lenient = await boot({});
    strict = await boot({ requireAtJwt: true, allowedClientIds: ['cli-app', 'web-app'] });
  });
  afterAll(async () => {
    await lenient?.close();
    await strict?.close();
    await rogue?.close();
  });

  async function answer(host: HostApp, claims: Record<string, unknown>, typ?: string): Promise<{ status: number; code?: string }> {
    const token = await rogue.signAccessToken({ sub: 'kind-user', aud: CLIENT_ID, ...claims }, typ ? { typ } : {});
    const res = await fetch(`${host.baseUrl}/api/profile`, { headers: { authorization: `Bearer ${token}` } });
    return { status: res.status, code: ((await res.json()) as { code?: string }).code };
  }
  const refused = { status: 401, code: 'AUTH_TOKEN_INVALID' };
  const accepted = { status: 200, code: undefined };

  it('accepts an ordinary at+jwt and a plain JWT by default (so the refusals below are for their reason)', async () => {
    expect(await answer(lenient, {})).toEqual(accepted);
    expect(await answer(lenient, {}, 'JWT')).toEqual(accepted);
  });

  it.each([
    ['a back-channel logout token (events claim) typed at+jwt', { events: { [BACKCHANNEL_EVENT]: {} }, jti: 'j1', sid: 's1' }, 'at+jwt'],
    ['a back-channel logout token typed JWT', { events: { [BACKCHANNEL_EVENT]: {} }, jti: 'j2' }, 'JWT'],
    ['a logout token typed logout+jwt', { events: { [BACKCHANNEL_EVENT]: {} }, jti: 'j3' }, 'logout+jwt'],
    ['an ID token (nonce) typed at+jwt', { nonce: 'n-1', azp: CLIENT_ID }, 'at+jwt'],
    ['an ID token (nonce) typed JWT', { nonce: 'n-2' }, 'JWT'],
  ])('refuses %s with 401 AUTH_TOKEN_INVALID', async (_, claims, typ) => {
    expect(await answer(lenient, claims, typ)).toEqual(refused);
  });

  it('with requireAtJwt, refuses a plain JWT and accepts at+jwt', async () => {
    expect(await answer(strict, { client_id: 'cli-app' }, 'JWT')).toEqual(refused);
    expect(await answer(strict, { client_id: 'cli-app' }, 'at+jwt')).toEqual(accepted);
    expect(await answer(strict, { client_id: 'cli-app' }, 'application/at+jwt')).toEqual(accepted);
  });

  it('with allowedClientIds, accepts only tokens whose client_id (else azp) is listed', async () => {
    expect(await answer(strict, { client_id: 'web-app' })).toEqual(accepted);
    expect(await answer(strict, { azp: 'cli-app' })).toEqual(accepted);
    expect(await answer(strict, { client_id: 'other-app' })).toEqual(refused);
    expect(await answer(strict, { client_id: 'other-app', azp: 'cli-app' })).toEqual(refused);
    expect(await answer(strict, {})).toEqual(refused);
    // The lenient app takes any client of the provider (aud still has to be ours).
    expect(await answer(lenient, { client_id: 'other-app' })).toEqual(accepted);
  });
});
