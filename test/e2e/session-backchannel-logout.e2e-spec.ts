import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { decodeJwt } from 'jose';
import { hashSessionId } from '../../lib/session/session-id.js';
import type { CookieAgent } from '../support/cookie-agent.js';
import { LogoutTokenRelay } from '../support/logout-token-relay.js';
import { completeProviderLogout } from '../support/provider-logout.js';
import { BED_SESSION_SECRET, REPLICAS, startSessionTestBed, type SessionTestBed } from '../support/session-test-bed.js';
import { sessionStores } from '../support/session-stores.js';

/**
 * Issue 7, item 7: back-channel logout with REAL logout tokens, sent by oidc-provider when the
 * user signs out at the provider. A relay records each token so the test can replay it.
 */
const post = (base: string, body: string) =>
  fetch(`${base}/auth/backchannel-logout`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });

async function status(agent: CookieAgent, base: string): Promise<number> {
  return (await agent.request(`${base}/auth/me`)).status;
}

/** Signs out at the provider itself (not through the app): the provider notifies the app. */
async function signOutAtProvider(bed: SessionTestBed, agent: CookieAgent): Promise<void> {
  const { confirm } = await completeProviderLogout(agent, `${bed.provider.issuer}/session/end`);
  expect(confirm.status).toBe(303);
}

describe.each(sessionStores)('back-channel logout with sid (two replicas, sessions in %s)', (store) => {
  const relay = new LogoutTokenRelay();
  let bed: SessionTestBed;

  beforeAll(async () => {
    const uri = await relay.start();
    bed = await startSessionTestBed({ instances: REPLICAS, backchannelLogout: { sessionRequired: true, uri }, store });
    relay.target = `${bed.apps[0].base}/auth/backchannel-logout`;
  });
  afterAll(async () => {
    await bed?.close();
    await relay.close();
  });

  it("ends the session of that sid (and the user's sessions without a sid), not the user's other sessions; a replay on any replica is 400", async () => {
    const a = bed.apps[0].base;
    const replicas = bed.apps.map((app) => app.base);
    const first = await bed.signIn('bcl-sid');
    const second = await bed.signIn('bcl-sid');
    const sidless = await bed.signIn('bcl-sid');
    const other = await bed.signIn('bcl-bystander');
    // A session whose ID token carried no sid cannot be told apart: the logout token's sub covers it.
    const sidlessKey = hashSessionId(BED_SESSION_SECRET, sidless.cookie(new URL(a).host, 'nestflux.sid')!);
    await bed.store.update(sidlessKey, { providerSid: null });
    for (const agent of [first, second, sidless, other]) expect(await status(agent, a)).toBe(200);

    await signOutAtProvider(bed, first);
    expect(relay.received).toHaveLength(1);
    const [{ token, status: answered }] = relay.received;
    expect(answered).toBe(200);
    const claims = decodeJwt(token);
    expect(claims).toMatchObject({ sub: 'bcl-sid' });
    expect(typeof claims.sid).toBe('string');

    expect(await status(first, a)).toBe(401);
    expect(await status(sidless, a)).toBe(401);
    expect(await status(second, a)).toBe(200);
    expect(await status(other, a)).toBe(200);

    for (const base of replicas) {
      const replay = await post(base, `logout_token=${token}`);
      expect(replay.status).toBe(400);
      expect(replay.headers.get('cache-control')).toBe('no-store');
      expect(await replay.json()).toMatchObject({ code: 'AUTH_LOGOUT_TOKEN_INVALID' });
    }
    expect(await status(second, a)).toBe(200);
  });

  it('answers 400 (spec §2.8), never 401 or 5xx, to a missing, garbage or non-logout token', async () => {
    const base = bed.apps[bed.apps.length - 1].base;
    const tokenish = 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.';
    for (const body of ['', 'logout_token=', 'logout_token=garbage', `logout_token=${tokenish}`, `logout_token=${'a'.repeat(10_000)}`]) {
      const res = await post(base, body);
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ code: 'AUTH_LOGOUT_TOKEN_INVALID' });
    }
  });
});

describe.each(sessionStores)('back-channel logout with sub only (sessions in %s)', (store) => {
  const relay = new LogoutTokenRelay();
  let bed: SessionTestBed;

  beforeAll(async () => {
    const uri = await relay.start();
    bed = await startSessionTestBed({ backchannelLogout: { sessionRequired: false, uri }, store });
    relay.target = `${bed.apps[0].base}/auth/backchannel-logout`;
  });
  afterAll(async () => {
    await bed?.close();
    await relay.close();
  });

  it("ends every session of the subject, and nobody else's", async () => {
    const { base } = bed.apps[0];
    const first = await bed.signIn('bcl-sub');
    const second = await bed.signIn('bcl-sub');
    const other = await bed.signIn('bcl-sub-bystander');
    await signOutAtProvider(bed, first);
    expect(relay.received).toHaveLength(1);
    const claims = decodeJwt(relay.received[0].token);
    expect(claims.sub).toBe('bcl-sub');
    expect(claims.sid).toBeUndefined();
    expect(relay.received[0].status).toBe(200);
    expect(await status(first, base)).toBe(401);
    expect(await status(second, base)).toBe(401);
    expect(await status(other, base)).toBe(200);
    const replay = await post(base, `logout_token=${relay.received[0].token}`);
    expect(replay.status).toBe(400);
  });
});
