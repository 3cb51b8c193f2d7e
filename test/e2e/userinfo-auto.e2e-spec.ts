import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startHostAppOn, type HostApp } from '../support/host-app.js';
import { RogueProvider } from '../support/rogue-provider/index.js';
import { signIn } from '../support/sample-app-harness.js';
import { startTwoProviderBed, type TwoProviderBed } from '../support/two-provider-bed.js';

/**
 * `fetchUserInfo: 'auto'` (the default): a provider that puts profile and email claims only in
 * userinfo (OIDC Core §5.4; oidc-provider with `conformIdTokenClaims`) still yields a full profile.
 */
describe('fetchUserInfo auto', () => {
  let bed: TwoProviderBed;

  beforeAll(async () => {
    bed = await startTwoProviderBed({ idp: { two: { profileClaimsOnlyInUserinfo: true } } });
  });
  afterAll(async () => {
    await bed?.close();
  });

  it('reads userinfo when the ID token lacks the profile claims: email, name and roles arrive', async () => {
    const { agent, final } = await bed.signIn('two', 'admin');
    expect(final.status).toBe(302);
    const profile = await (await agent.request(`${bed.base}/api/profile`)).json();
    expect(profile).toMatchObject({ sub: 'admin', email: 'admin@example.test', displayName: 'Admin', roles: ['admin'] });
  });

  it('leaves a provider whose ID token has them as it is', async () => {
    const { agent } = await bed.signIn('one', 'heidi');
    expect(await (await agent.request(`${bed.base}/api/profile`)).json()).toMatchObject({
      email: 'heidi@example.test',
      displayName: 'Heidi',
    });
  });
});

describe('fetchUserInfo false', () => {
  let bed: TwoProviderBed;

  beforeAll(async () => {
    bed = await startTwoProviderBed({ idp: { two: { profileClaimsOnlyInUserinfo: true } }, providers: { two: { fetchUserInfo: false } } });
  });
  afterAll(async () => {
    await bed?.close();
  });

  it('never reads userinfo: the same provider then gives no email or name', async () => {
    const { agent, final } = await bed.signIn('two', 'ivan');
    expect(final.status).toBe(302);
    expect(await (await agent.request(`${bed.base}/api/profile`)).json()).toMatchObject({
      sub: 'ivan',
      email: null,
      displayName: null,
      roles: [],
    });
  });
});

describe('userinfo about another subject', () => {
  let rogue: RogueProvider;
  let host: HostApp;

  beforeAll(async () => {
    rogue = await RogueProvider.start({ clientId: 'userinfo-sub', clientSecret: 'userinfo-sub-secret' });
    host = await startHostAppOn(rogue);
  });
  afterAll(async () => {
    await host?.close();
    await rogue?.close();
  });

  it('completes the ID token from userinfo when the subjects match', async () => {
    const { agent, final } = await signIn(host.baseUrl, 'judy');
    expect(final.status).toBe(302);
    expect(await (await agent.request(`${host.baseUrl}/auth/me`)).json()).toMatchObject({ sub: 'judy', displayName: 'Name From Userinfo' });
  });

  it('fails the login (401, no session) when userinfo names another subject', async () => {
    rogue.userinfoClaims = () => ({ sub: 'someone-else', name: 'Not You', email: 'victim@example.test' });
    const { agent, final } = await signIn(host.baseUrl, 'mallory');
    expect(final.status).toBe(401);
    expect(await final.json()).toMatchObject({ code: 'AUTH_USERINFO_INVALID' });
    expect((await agent.request(`${host.baseUrl}/auth/me`)).status).toBe(401);
  });
});
