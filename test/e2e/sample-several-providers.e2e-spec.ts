import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SampleConfigError } from '../../sample-app/src/config/sample-config-error.js';
import { startSampleAppUnderTest, type SampleAppUnderTest } from '../support/sample-app-harness.js';
import { signInAt } from '../support/two-provider-bed.js';

/** `npm start` with DEV_PROVIDERS=2: the embedded development provider runs as two providers. */
describe('sample app with DEV_PROVIDERS=2', () => {
  let sut: SampleAppUnderTest;

  beforeAll(async () => {
    sut = await startSampleAppUnderTest({ DEV_PROVIDERS: '2' });
  });
  afterAll(async () => {
    await sut?.close();
  });

  it('lists both development providers and signs users in at each, as separate identities', async () => {
    const res = await fetch(`${sut.baseUrl}/auth/providers`);
    expect(await res.json()).toEqual([
      { slug: 'dev', name: 'Development provider' },
      { slug: 'dev2', name: 'Development provider 2' },
    ]);
    const ids: string[] = [];
    for (const slug of ['dev', 'dev2']) {
      const { agent, final } = await signInAt(sut.baseUrl, slug, 'erin');
      expect(final.status).toBe(302);
      const me = await agent.request(`${sut.baseUrl}/auth/me`);
      expect(me.status).toBe(200);
      ids.push(((await me.json()) as { id: string }).id);
    }
    expect(ids[0]).not.toBe(ids[1]);
  });

  it('still serves the unslugged login routes with provider 1', async () => {
    const { final } = await signInAt(sut.baseUrl, 'dev', 'frank', undefined, '/auth/login');
    expect(final.status).toBe(302);
  });
});

describe('sample app numbered provider variables', () => {
  it('refuses to start with a gap, naming the variable', async () => {
    const start = startSampleAppUnderTest({
      OIDC_PROVIDER_1_SLUG: 'a',
      OIDC_PROVIDER_1_ISSUER: 'https://a.example.com',
      OIDC_PROVIDER_1_CLIENT_ID: 'a',
      OIDC_PROVIDER_1_CLIENT_SECRET: 's',
      OIDC_PROVIDER_3_SLUG: 'c',
      OIDC_PROVIDER_3_ISSUER: 'https://c.example.com',
      OIDC_PROVIDER_3_CLIENT_ID: 'c',
      OIDC_PROVIDER_3_CLIENT_SECRET: 's',
    });
    await expect(start).rejects.toBeInstanceOf(SampleConfigError);
    await expect(start).rejects.toMatchObject({ variable: 'OIDC_PROVIDER_2_ISSUER' });
  });
});
