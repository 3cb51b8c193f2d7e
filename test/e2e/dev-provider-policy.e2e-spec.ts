import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Env } from '../../sample-app/src/config/sample-config.js';
import { signIn, startSampleAppUnderTest } from '../support/sample-app-harness.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/**
 * The embedded development identity provider lets anyone sign in as anyone (`admin` is an
 * admin). It must start only when OIDC_ISSUER_URL is absent, outside production, on loopback
 * (or with DEV_IDENTITY_PROVIDER=1); every other way of reaching it refuses to start, naming
 * the variable. A start that goes through anyway is the hole: the test shows it by signing in
 * as admin before failing.
 */
describe('the development identity provider never starts by accident', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.close();
  });

  async function expectRefusal(env: Env, variable: string, message: RegExp): Promise<void> {
    let outcome: unknown;
    try {
      const sut = await startSampleAppUnderTest(env, db);
      const { agent } = await signIn(sut.baseUrl, 'admin').catch(() => ({ agent: undefined }));
      const admin = agent ? (await agent.request(`${sut.baseUrl}/api/admin`)).status : 'no sign-in';
      await sut.close();
      outcome = `started with the development provider (embedded: ${sut.running.config.embeddedProvider}; /api/admin as "admin": ${admin})`;
    } catch (error) {
      outcome = error;
    }
    expect(outcome).toBeInstanceOf(Error);
    expect(outcome).toMatchObject({ name: 'SampleConfigError', variable });
    expect((outcome as Error).message).toMatch(message);
  }

  it('refuses OIDC_ISSUER_URL set but empty, naming it', async () => {
    await expectRefusal({ OIDC_ISSUER_URL: '' }, 'OIDC_ISSUER_URL', /OIDC_ISSUER_URL is set but empty/);
  });

  it('refuses OIDC_ISSUER_URL of blanks', async () => {
    await expectRefusal({ OIDC_ISSUER_URL: '  ' }, 'OIDC_ISSUER_URL', /OIDC_ISSUER_URL is set but empty/);
  });

  it('refuses NODE_ENV=production without OIDC_ISSUER_URL, naming both', async () => {
    await expectRefusal({ NODE_ENV: 'production' }, 'OIDC_ISSUER_URL', /OIDC_ISSUER_URL is not set and NODE_ENV is production/);
  });

  it('refuses NODE_ENV=production even with DEV_IDENTITY_PROVIDER=1', async () => {
    await expectRefusal({ NODE_ENV: 'production', DEV_IDENTITY_PROVIDER: '1' }, 'OIDC_ISSUER_URL', /NODE_ENV is production/);
  });

  it('refuses a misspelled issuer variable instead of falling back to the development provider', async () => {
    await expectRefusal(
      { OIDC_ISSUER: 'https://idp.example.test/' },
      'OIDC_ISSUER_URL',
      /OIDC_ISSUER is set but OIDC_ISSUER_URL is not: did you mean OIDC_ISSUER_URL\?/,
    );
  });

  it('refuses a non-loopback BASE_URL without DEV_IDENTITY_PROVIDER=1, naming it', async () => {
    await expectRefusal(
      { BASE_URL: 'http://app.example.test:8080' },
      'DEV_IDENTITY_PROVIDER',
      /BASE_URL \(http:\/\/app\.example\.test:8080\) is not a loopback address/,
    );
  });

  it('refuses a DEV_IDENTITY_PROVIDER value other than 1 or 0', async () => {
    await expectRefusal({ DEV_IDENTITY_PROVIDER: 'yes' }, 'DEV_IDENTITY_PROVIDER', /DEV_IDENTITY_PROVIDER must be 1 or 0, got "yes"/);
  });

  it('starts it on a non-loopback BASE_URL with DEV_IDENTITY_PROVIDER=1', async () => {
    const sut = await startSampleAppUnderTest({ BASE_URL: 'http://app.example.test:8080', DEV_IDENTITY_PROVIDER: '1' }, db);
    try {
      expect(sut.running.config.embeddedProvider).toBe(true);
      const discovery = await fetch(`${sut.baseUrl}/oidc/.well-known/openid-configuration`);
      expect(discovery.status).toBe(200);
      expect(((await discovery.json()) as { issuer: string }).issuer).toBe('http://app.example.test:8080/oidc');
    } finally {
      await sut.close();
    }
  });

  it('does not start it in production with an issuer (and boots)', async () => {
    const sut = await startSampleAppUnderTest(
      { NODE_ENV: 'production', OIDC_ISSUER_URL: 'https://idp.example.test/', OIDC_CLIENT_ID: 'app', OIDC_CLIENT_SECRET: 'app-secret' },
      db,
    );
    try {
      expect(sut.running.config.embeddedProvider).toBe(false);
      expect((await fetch(`${sut.baseUrl}/oidc/.well-known/openid-configuration`)).status).toBe(404);
    } finally {
      await sut.close();
    }
  });

  it('keeps the zero-configuration start: loopback, no issuer, any user signs in', async () => {
    const sut = await startSampleAppUnderTest({}, db);
    try {
      expect(sut.running.config.embeddedProvider).toBe(true);
      const { agent } = await signIn(sut.baseUrl, 'admin');
      expect((await agent.request(`${sut.baseUrl}/api/admin`)).status).toBe(200);
    } finally {
      await sut.close();
    }
  });
});
