import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { signIn, startSampleAppUnderTest, type SampleAppUnderTest } from '../support/sample-app-harness.js';

/** The sample app's /health: the contract's answer for anyone, dependency details for an admin. */
describe('sample app GET /health', () => {
  let sut: SampleAppUnderTest;

  beforeAll(async () => {
    sut = await startSampleAppUnderTest();
  }, 90_000);
  afterAll(async () => {
    await sut?.close();
  });

  it('answers 200 {"status":"ok"} and nothing more to an anonymous request', async () => {
    const res = await fetch(`${sut.baseUrl}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('answers a bad bearer token or a garbage cookie like an anonymous request (no 401, no details)', async () => {
    const attempts: Array<Record<string, string>> = [{ authorization: 'Bearer not.a.jwt' }, { cookie: 'nestflux.sid=garbage' }];
    for (const headers of attempts) {
      const res = await fetch(`${sut.baseUrl}/health`, { headers });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ status: 'ok' });
    }
  });

  it('gives no details to a signed-in user without the admin role', async () => {
    const { agent } = await signIn(sut.baseUrl, 'health-bob');
    const res = await agent.request(`${sut.baseUrl}/health`);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('gives an admin the details: database, provider discovery and JWKS', async () => {
    const { agent } = await signIn(sut.baseUrl, 'admin');
    const res = await agent.request(`${sut.baseUrl}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      status: 'ok',
      details: { database: { status: 'up' }, identityProvider: { status: 'up', discovery: 'up', jwks: 'up' } },
    });
  });
});
