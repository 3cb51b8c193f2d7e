import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AUTH_MODULE_OPTIONS, type AuthModuleOptions } from '@nestflux/auth';
import { DataSource } from 'typeorm';
import type { Env } from '../../sample-app/src/config/sample-config.js';
import { signIn, startSampleAppUnderTest } from '../support/sample-app-harness.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/** The contract's AUTH_SESSION_IDLE_SECONDS / AUTH_SESSION_MAX_SECONDS reach the sessions, validated by name. */
describe('sample app session lifetimes from the environment', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.close();
  });

  it('uses them: the module gets both, the cookie lives AUTH_SESSION_MAX_SECONDS, so does the session row', async () => {
    const sut = await startSampleAppUnderTest({ AUTH_SESSION_IDLE_SECONDS: '120', AUTH_SESSION_MAX_SECONDS: '7200' }, db);
    try {
      const options = sut.running.app.get<AuthModuleOptions>(AUTH_MODULE_OPTIONS);
      expect(options.session).toMatchObject({ idleTimeoutSeconds: 120, absoluteTimeoutSeconds: 7200 });
      const { final } = await signIn(sut.baseUrl, 'lifetimes');
      expect(final.headers.get('set-cookie')).toMatch(/Max-Age=7200/);
      const [row] = await sut.running.app
        .get(DataSource)
        .query<Array<{ lifetime: number }>>(
          `SELECT EXTRACT(EPOCH FROM (s.expires_at - s.created_at))::int AS lifetime FROM auth_sessions s JOIN auth_identities i ON i.user_id = s.user_id WHERE i.subject = 'lifetimes'`,
        );
      expect(Math.abs(row.lifetime - 7200)).toBeLessThanOrEqual(2);
    } finally {
      await sut.close();
    }
  });

  it('defaults to 1800 / 28800', async () => {
    const sut = await startSampleAppUnderTest({}, db);
    try {
      expect(sut.running.app.get<AuthModuleOptions>(AUTH_MODULE_OPTIONS).session).toMatchObject({
        idleTimeoutSeconds: 1800,
        absoluteTimeoutSeconds: 28800,
      });
    } finally {
      await sut.close();
    }
  });

  it.each([
    [
      { AUTH_SESSION_IDLE_SECONDS: 'half an hour' },
      'AUTH_SESSION_IDLE_SECONDS',
      /AUTH_SESSION_IDLE_SECONDS must be a whole number of seconds from 60 to 2592000, got "half an hour"/,
    ],
    [{ AUTH_SESSION_IDLE_SECONDS: '1.5' }, 'AUTH_SESSION_IDLE_SECONDS', /AUTH_SESSION_IDLE_SECONDS must be a whole number/],
    [{ AUTH_SESSION_IDLE_SECONDS: '10' }, 'AUTH_SESSION_IDLE_SECONDS', /from 60 to/],
    [{ AUTH_SESSION_MAX_SECONDS: '-1' }, 'AUTH_SESSION_MAX_SECONDS', /AUTH_SESSION_MAX_SECONDS must be a whole number/],
    [
      { AUTH_SESSION_IDLE_SECONDS: '7200', AUTH_SESSION_MAX_SECONDS: '3600' },
      'AUTH_SESSION_IDLE_SECONDS',
      /AUTH_SESSION_IDLE_SECONDS \(7200\) must not exceed AUTH_SESSION_MAX_SECONDS \(3600\)/,
    ],
  ] as Array<[Env, string, RegExp]>)('refuses %j, naming the variable', async (env, variable, message) => {
    const outcome = await startSampleAppUnderTest(env, db).then(
      async (sut) => {
        await sut.close();
        return 'started';
      },
      (error: unknown) => error,
    );
    expect(outcome).toMatchObject({ name: 'SampleConfigError', variable });
    expect((outcome as Error).message).toMatch(message);
  });
});
